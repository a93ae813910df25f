import DecideStore
import LuaRuntime

/// Decide's version, the one place it is written, and what `decide --version` prints with it.
enum DecideVersion {
    /// The release.
    static let number = "0.3.0"

    /// `decide 0.3.0 (Lua 5.4.4, SQLite 3.40.1)`.
    static let description = "decide \(number) (Lua \(LuaState.luaVersion), SQLite \(SQLiteCustomerStore.sqliteVersion))"
}
