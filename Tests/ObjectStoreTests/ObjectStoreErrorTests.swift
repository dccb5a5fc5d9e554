import Testing
@testable import ObjectStore

@Suite struct ObjectStoreErrorTests {
    @Test func descriptionNamesCodeAndKey() {
        let error = ObjectStoreError(.notFound, key: "a/b.json", "no such key")
        #expect(error.description == "object store notFound for 'a/b.json': no such key")
    }
}
