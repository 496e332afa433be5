#pragma once

#include "core/io/jsonkeyset.h"

#include <QString>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pcs {

// One JSONL line: a JSON object, validated in full (RFC 8259, UTF-8), from which a few top-level
// fields are extracted without building a document. Several times faster than QJsonDocument,
// which matters when a filter scores billions of lines.
//
// Records are read one way everywhere: a key that occurs twice in the top-level object (compared
// after unescaping, so "text" and "t\u0065xt" are the same key) is a problem, because readers
// disagree on which value counts (Python, jq and Qt take the last, a streaming reader the first)
// and a second "text" could otherwise slip past an assessment. Duplicates inside nested objects
// are left alone: no field is read from there.
class JsonLineScanner {
public:
    enum class Issue {
        InvalidJson,  // the line breaks RFC 8259 (or is not valid UTF-8)
        DuplicateKey,  // a top-level key occurs twice
        NumberOutOfRange,  // Options::rejectOutOfRangeNumbers
    };
    struct Problem {
        qint64 column = 0;  // 1-based byte column of the problem in the line
        QString reason;  // e.g. "invalid JSON: expected ':' after an object key"
        Issue issue = Issue::InvalidJson;
        std::string key;  // DuplicateKey: the key (unescaped)
    };

    struct Options {
        // Numbers a double cannot hold (1e999 overflows, 1e-400 underflows to 0) are valid JSON,
        // but readers turn them into infinity or 0 or refuse the record (Qt): a problem when set.
        bool rejectOutOfRangeNumbers = false;
    };

    enum class Kind { Missing, String, Number, Other };  // Other: null, true, false, array, object
    struct Field {
        Kind kind = Kind::Missing;
        // String: the unescaped UTF-8 value; Number: the number's text as written (e.g. "42",
        // "-1.5e3"); empty otherwise. Valid until the next scan() and while the line lives
        // (it points into the line unless unescaping was needed).
        std::string_view value;
        // The value as written: bytes [rawBegin, rawEnd) of the line (a string with its quotes,
        // an object or array with its brackets). Both 0 when Missing.
        std::size_t rawBegin = 0;
        std::size_t rawEnd = 0;
    };

    // The top-level field names to extract (e.g. {"text", "id"}); a name may be asked for twice.
    explicit JsonLineScanner(std::vector<std::string> fieldNames);
    JsonLineScanner(std::vector<std::string> fieldNames, Options options);

    // Parses `line`. Leading/trailing whitespace (and a UTF-8 byte order mark at the start) is
    // allowed; anything else after the object is a problem. The top level must be an object.
    // Strings must be valid UTF-8 (overlong forms, surrogates encoded in UTF-8 and code points >
    // U+10FFFF are invalid); \u escapes must pair surrogates correctly. Nesting deeper than 512
    // levels is a problem (no stack overflow). A duplicate top-level key is a problem at the
    // second occurrence ("duplicate key "text" (also at column 2)"); the check costs linear time
    // however many keys the object has.
    // After a problem, the fields found before it keep their values (to name the record in a
    // report); they are not a valid record.
    std::optional<Problem> scan(std::string_view line);

    const Field &field(std::size_t index) const { return m_fields[index]; }
    std::size_t closingBrace() const { return m_closingBrace; }  // offset of the object's final '}'

private:
    std::vector<std::string> m_names;
    Options m_options;
    std::vector<Field> m_fields;
    // Unescaped values that needed unescaping, one slot per field: sized once, so that views
    // into short (inline-stored) strings never move.
    std::vector<std::string> m_storage;
    std::size_t m_closingBrace = 0;
    // Top-level keys that needed unescaping, one slot each; a deque, so that views into earlier
    // slots stay valid while later ones are added (the key set holds them).
    std::deque<std::string> m_escapedKeys;
    std::string m_keyScratch;  // where a key is unescaped before it moves to m_escapedKeys
    JsonKeySet m_keys;  // the top-level keys of the current line
    std::vector<std::size_t> m_matches;  // fields the current top-level key names
    std::vector<std::size_t> m_openMatches;  // fields whose object/array value is still open
    std::size_t m_missingCount = 0;  // fields not found yet in this line
};

// Appends `text` (UTF-8) to `out` as a JSON string: quoted, with '"', '\\' and control
// characters escaped; every other byte as it is.
void appendJsonString(std::string &out, std::string_view text);

// `line` (a valid JSON object, as scanned) with `"name":jsonValue` added as its last member:
// inserted just before the closing brace, so every other byte stays as it was.
std::string withAddedMember(std::string_view line, std::size_t closingBrace, std::string_view name,
                            std::string_view jsonValue);

}  // namespace pcs
