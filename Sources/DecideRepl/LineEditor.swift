import CEditLine
import Foundation

/// The terminal's line editor (libedit): emacs keys (arrows, Ctrl-A/E, Ctrl-R search), history kept in a file,
/// and Tab completion from a callback.
///
/// Only for a terminal on standard input; not `Sendable`, used on the REPL's thread.
final class LineEditor {
    /// What reading a line produced.
    enum Input {
        /// A line, without its newline.
        case line(String)
        /// Ctrl-C at the prompt: the line was abandoned.
        case interrupted
        /// Ctrl-D on an empty line, or the end of input.
        case end
    }

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let historyPath: String
    private var promptText = UnsafeMutableBufferPointer<CChar>.allocate(capacity: 1)
    private let complete: (String) -> (wordLength: Int, candidates: [String])
    /// Whether the locale is UTF-8: libedit cannot show other characters than ASCII in a prompt otherwise.
    private let unicode: Bool

    /// An editor over the process's standard streams. It sets the locale's character type to UTF-8 (the
    /// environment's, else `C.UTF-8`), which libedit needs for the prompt's `·`.
    ///
    /// - Parameters:
    ///   - historyPath: The history file, read now and written after each line.
    ///   - complete: Given the text before the cursor, the length of the word to complete and its completions.
    init(historyPath: String, complete: @escaping (String) -> (wordLength: Int, candidates: [String])) {
        self.historyPath = historyPath
        self.complete = complete
        setlocale(LC_CTYPE, "")
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
        unicode = String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
        history = cedit_history_open(1000)
        editLine = el_init(CommandLine.arguments.first ?? "decide", fdopen(STDIN_FILENO, "r"), fdopen(STDOUT_FILENO, "w"), fdopen(STDERR_FILENO, "w"))
        cedit_history_load(history, historyPath)
        cedit_configure(editLine, history, lineEditorPrompt, lineEditorComplete, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        el_end(editLine)
        history_end(history)
        promptText.deallocate()
    }

    /// Reads one line after `prompt`, adding it to the history.
    func read(prompt: String) -> Input {
        promptText.deallocate()
        let bytes = (unicode ? prompt : prompt.replacingOccurrences(of: "·", with: "-")).utf8CString
        promptText = .allocate(capacity: bytes.count)
        _ = promptText.initialize(from: bytes)
        var count: Int32 = 0
        errno = 0
        guard let line = el_gets(editLine, &count), count > 0 else {
            return errno == EINTR ? .interrupted : .end
        }
        let text = String(cString: line).trimmingCharacters(in: .newlines)
        if !text.trimmingCharacters(in: .whitespaces).isEmpty {
            cedit_history_add(history, text)
            cedit_history_save(history, historyPath)
        }
        return .line(text)
    }

    fileprivate var promptPointer: UnsafeMutablePointer<CChar> {
        promptText.baseAddress!
    }

    /// Completes the word before the cursor: inserts the rest when one word (or a longer common prefix) fits,
    /// lists the choices otherwise.
    fileprivate func completeLine() -> UInt8 {
        guard let info = el_line(editLine)?.pointee, let buffer = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let before = String(decoding: UnsafeRawBufferPointer(start: buffer, count: cursor - buffer), as: UTF8.self)
        let (length, candidates) = complete(before)
        guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        let word = String(before.suffix(length))
        var common = candidates[0]
        for candidate in candidates.dropFirst() {
            common = String(zip(common, candidate).prefix { $0 == $1 }.map(\.0))
        }
        if candidates.count == 1 { common += before.hasPrefix(":") && !before.contains(" ") ? " " : "" }
        if common.count > word.count {
            el_insertstr(editLine, String(common.dropFirst(word.count)))
            return UInt8(CC_REFRESH)
        }
        print("\n" + candidates.joined(separator: "  "))
        return UInt8(CC_REDISPLAY)
    }
}

/// libedit's prompt callback: the editor's current prompt.
private let lineEditorPrompt: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { editLine in
    guard let editLine, let client = cedit_client(editLine) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(client).takeUnretainedValue().promptPointer
}

/// libedit's Tab callback.
private let lineEditorComplete: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { editLine, _ in
    guard let editLine, let client = cedit_client(editLine) else { return UInt8(CC_ERROR) }
    return Unmanaged<LineEditor>.fromOpaque(client).takeUnretainedValue().completeLine()
}
