import Foundation

/// Where a store lives, as `--db` or `DECIDE_DB` name it: a PostgreSQL URL (`postgresql://` or `postgres://`), or
/// else a SQLite file path.
public enum StoreLocation: Sendable, Hashable {
    /// A SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresLocation)

    /// Reads `text`: a PostgreSQL URL when it starts with `postgresql://` or `postgres://`, a file path otherwise.
    ///
    /// - Parameter environment: Where `PGPASSWORD` is read, and `HOME` for `~/.pgpass`.
    /// - Throws: `StoreError` `invalidArgument` naming what is wrong with a malformed URL.
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            self = .postgres(try PostgresLocation(parsing: text, environment: environment))
        } else {
            self = .sqlite(path: text)
        }
    }
}

/// A PostgreSQL database as a URL names it:
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?host=/socket/dir][&sslmode=disable|require|verify-full]`.
///
/// The password may come from the URL, else `PGPASSWORD`, else `~/.pgpass` or the file `PGPASSFILE` names
/// (`host:port:database:user:password` lines, `*` matching anything), so that it need not appear in a process list;
/// as with libpq, an empty variable counts as unset. Its `description` never shows it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is secured.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (and always for a Unix socket).
        case disable
        /// TLS, without checking the server's certificate.
        case require
        /// TLS, checking the certificate and the host name.
        case verifyFull = "verify-full"
    }

    /// The user.
    public var user: String
    /// The password, if any.
    public var password: String?
    /// The host name or address (for a Unix socket: the name in the URL, shown in messages).
    public var host: String
    /// The TCP port (for a Unix socket, the number in the socket's file name).
    public var port: Int
    /// The database.
    public var database: String
    /// The directory of the server's Unix socket (`?host=`), when it is reached that way.
    public var socketDirectory: String?
    /// TLS.
    public var sslMode: SSLMode

    /// The socket file: `DIR/.s.PGSQL.PORT`.
    public var socketPath: String? { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } }

    /// `postgresql://user@host:port/db`, with the socket directory, without the password.
    public var description: String {
        "postgresql://\(user)@\(host):\(port)/\(database)" + (socketDirectory.map { "?host=\($0)" } ?? "")
    }

    /// Parses a URL.
    ///
    /// - Throws: `StoreError` `invalidArgument` naming the part at fault.
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func invalid(_ problem: String) -> StoreError {
            StoreError(
                .invalidArgument,
                "invalid PostgreSQL URL: \(problem) (expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?host=/socket/dir&sslmode=disable|require|verify-full])",
                value: Self.redacted(text))
        }
        guard text.utf8.count <= 2048 else { throw invalid("longer than 2048 bytes") }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgresql", "postgres"].contains(scheme)
        else { throw invalid("not a URL") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user") }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name after the host") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port \(port) is out of range") }
        var socketDirectory: String?
        var sslMode = SSLMode.disable
        var sawSSL = false
        for item in components.queryItems ?? [] {
            switch item.name {
            case "host":
                guard let value = item.value, value.hasPrefix("/") else { throw invalid("host= must be an absolute socket directory") }
                socketDirectory = value
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    throw invalid("sslmode must be disable, require or verify-full, not \"\(item.value ?? "")\"")
                }
                sslMode = mode
                sawSSL = true
            default:
                throw invalid("unknown parameter \"\(item.name)\"")
            }
        }
        if socketDirectory != nil && sawSSL && sslMode != .disable {
            throw invalid("sslmode=\(sslMode.rawValue) does not apply to a Unix socket")
        }
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.socketDirectory = socketDirectory
        self.sslMode = sslMode
        self.password = components.password
            ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.passwordFile(environment: environment, host: socketDirectory == nil ? host : "localhost", port: port,
                                 database: database, user: user)
    }

    /// The password `~/.pgpass` (or `PGPASSFILE`) gives for these coordinates, as libpq reads it.
    static func passwordFile(environment: [String: String], host: String, port: Int, database: String, user: String) -> String? {
        guard let path = environment["PGPASSFILE"].flatMap({ $0.isEmpty ? nil : $0 }) ?? environment["HOME"].map({ $0 + "/.pgpass" }),
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = []
            var field = ""
            var escaped = false
            for character in line {
                if escaped {
                    field.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The URL with its password replaced by `***`, for messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}

extension StoreLocation {
    /// Opens the store, creating (SQLite) or migrating its schema if needed.
    ///
    /// - Parameter runsServices: Whether the store runs what it needs in the background itself (PostgreSQL's
    ///   connection pool); `false` leaves them to the caller's `ServiceGroup` (the store's `services`).
    /// - Throws: `StoreError` `database` when the file cannot be opened or the server cannot be reached (with the
    ///   host, port and the server's message).
    public func open(runsServices: Bool = true) async throws -> any RunQueueStore {
        switch self {
        case .sqlite(let path): try SQLiteCustomerStore(path: path)
        case .postgres(let location): try await PostgresCustomerStore(location, runsPool: runsServices)
        }
    }
}
