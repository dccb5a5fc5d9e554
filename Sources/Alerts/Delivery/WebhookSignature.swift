import Crypto

/// `X-CryptoViz-Signature: sha256=<hex>`: HMAC-SHA256 (RFC 2104) of the exact body bytes with
/// the webhook's secret, so a receiver can check the body came from this server unchanged.
public enum WebhookSignature {
    public static let headerName = "X-CryptoViz-Signature"

    /// The header value for `body`.
    public static func header(body: some Collection<UInt8>, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(body), using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + code.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
