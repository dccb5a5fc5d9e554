import Hummingbird
import Logging

/// Turns every failure, including unknown routes and oversized bodies, into the JSON error shape.
///
/// Must be the first middleware so it also wraps the router's not-found responder.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteIndex

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as MarketDataError {
            return APIError(error).response()
        } catch let error as any HTTPResponseError {
            switch error.status {
            case .notFound:
                let path = String(request.uri.path.prefix(200))
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty {
                    var response = APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(path); use \(allowed.joined(separator: ", "))").response()
                    response.headers[.allow] = allowed.joined(separator: ", ")
                    return response
                }
                return APIError(.notFound, "no route for \(request.method.rawValue) \(path)").response()
            case .contentTooLarge:
                return APIError(.payloadTooLarge, "request body too large").response()
            case .badRequest:
                return APIError(.invalidBody, "malformed request").response()
            default:
                context.logger.warning("request failed", metadata: ["status": "\(error.status.code)"])
                return APIError(.internal, "internal error").response()
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            return APIError(.internal, "internal error").response()
        }
    }
}
