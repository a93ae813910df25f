import Dispatch
import Foundation

/// SIGINT (Ctrl-C) and SIGTERM caught instead of ending the process: each calls `handler`, until ``cancel()``.
///
/// Both signals stay ignored after that, for the next catcher (on Linux, Dispatch's signal sources, and so a service
/// group's, need them ignored; given back their default action, a SIGTERM would end the process at once).
final class SignalWatch {
    private let sources: [any DispatchSourceSignal]

    /// Starts catching both signals.
    init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    /// Stops calling the handler.
    func cancel() {
        for source in sources { source.cancel() }
    }
}
