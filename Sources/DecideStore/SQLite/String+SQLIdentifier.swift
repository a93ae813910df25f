extension String {
    /// The string as a quoted SQL identifier (`"name"`, inner quotes doubled), for attribute names already checked
    /// by `Attribute.isValidName`.
    var quotedIdentifier: String {
        "\"" + replacing("\"", with: "\"\"") + "\""
    }
}
