import Testing
@testable import Server

@Suite struct BearerAuthorizationTests {
    @Test(arguments: ["Bearer s3cret", "bearer s3cret", "BEARER s3cret", "Bearer   s3cret", " Bearer s3cret"])
    func theSchemeIsCaseInsensitive(header: String) {
        #expect(BearerAuthorization.bearerToken(in: header) == "s3cret")
    }

    @Test(arguments: ["Basic s3cret", "Bearer", "Bearer ", "Bearers3cret", "s3cret", ""])
    func otherCredentialsAreNoBearerToken(header: String) {
        #expect(BearerAuthorization.bearerToken(in: header) == nil)
    }

    @Test func lengthsThatDifferByAMultipleOf256AreNotEqual() {
        let token = Array("a".utf8)
        #expect(!BearerAuthorization.constantTimeEquals(token, token + [UInt8](repeating: 0, count: 256)))
        #expect(!BearerAuthorization.constantTimeEquals([], [UInt8](repeating: 0, count: 512)))
        #expect(BearerAuthorization.constantTimeEquals(token, token))
        #expect(!BearerAuthorization.constantTimeEquals(token, Array("b".utf8)))
    }
}
