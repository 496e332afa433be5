#pragma once

#include <QString>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pcs {

// One JSONL line: a JSON object, validated in full (RFC 8259, UTF-8), from which a few top-level
// fields are extracted without building a document. Several times faster than QJsonDocument,
// which matters when a filter scores billions of lines.
class JsonLineScanner {
public:
    struct Problem {
        qint64 column = 0;  // 1-based byte column of the problem in the line
        QString reason;  // e.g. "invalid JSON: expected ':' after an object key"
    };

    enum class Kind { Missing, String, Number, Other };  // Other: null, true, false, array, object
    struct Field {
        Kind kind = Kind::Missing;
        // String: the unescaped UTF-8 value; Number: the number's text as written (e.g. "42",
        // "-1.5e3"); empty otherwise. Valid until the next scan() and while the line lives
        // (it points into the line unless unescaping was needed).
        std::string_view value;
    };

    // The top-level field names to extract (e.g. {"text", "id"}). Of duplicate keys the first
    // one counts.
    explicit JsonLineScanner(std::vector<std::string> fieldNames);

    // Parses `line`. Leading/trailing whitespace (and a UTF-8 byte order mark at the start) is
    // allowed; anything else after the object is a problem. The top level must be an object.
    // Strings must be valid UTF-8 (overlong forms, surrogates encoded in UTF-8 and code points >
    // U+10FFFF are invalid); \u escapes must pair surrogates correctly. Nesting deeper than 512
    // levels is a problem (no stack overflow).
    std::optional<Problem> scan(std::string_view line);

    const Field &field(std::size_t index) const { return m_fields[index]; }
    std::size_t closingBrace() const { return m_closingBrace; }  // offset of the object's final '}'

private:
    std::vector<std::string> m_names;
    std::vector<Field> m_fields;
    // Unescaped values that needed unescaping, one slot per field: sized once, so that views
    // into short (inline-stored) strings never move.
    std::vector<std::string> m_storage;
    std::size_t m_closingBrace = 0;
    std::string m_key;  // the current top-level key, when it needed unescaping
    std::vector<std::size_t> m_matches;  // fields the current top-level key names
    std::size_t m_missingCount = 0;  // fields not found yet in this line
};

// `line` (a valid JSON object, as scanned) with `"name":jsonValue` added as its last member:
// inserted just before the closing brace, so every other byte stays as it was.
std::string withAddedMember(std::string_view line, std::size_t closingBrace, std::string_view name,
                            std::string_view jsonValue);

}  // namespace pcs
