#pragma once

#include <QString>

#include <string_view>

// Small text helpers shared by the loaders (internal to core/io).
namespace pcs::io {

// What a numeric cell holds.
enum class CellKind {
    Number,  // a finite number
    Missing,  // empty, NaN, nan, NA or N/A
    Invalid,  // anything else, including inf and out-of-range numbers
};

// Spaces (and tabs, carriage returns) around a cell are not part of it.
std::string_view trimSpaces(std::string_view text);

// True for the markers of a missing value: empty, NaN, nan, NA, N/A (after trimming).
bool isMissingMarker(std::string_view trimmed);

// Parses one cell with std::from_chars (round-trip exact). Missing cells give quiet NaN.
CellKind parseCell(std::string_view text, double &value);

// Why parseCell() called `text` invalid, for an error message.
QString invalidCellReason(std::string_view text);

// Checks UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). On failure,
// *badOffset is the offset of the first bad byte.
bool isValidUtf8(std::string_view text, qsizetype *badOffset = nullptr);

// Converts valid UTF-8 to a QString (plain ASCII takes a faster path).
QString toQString(std::string_view utf8);

// The text as it may appear in a message: cut to a few dozen characters, invalid bytes
// replaced, control characters (newlines, tabs, terminal escapes, bidirectional overrides)
// written as escapes (\n, \t, \x1b, \u202e). quoteForMessage adds double quotes around it.
QString excerptForMessage(const QString &text);
QString quoteForMessage(std::string_view text);
QString quoteForMessage(const QString &text);

// Drops a leading UTF-8 byte order mark.
std::string_view skipBom(std::string_view data);

// The 1-based line and column (in bytes) of `offset` in `data`, for JSON parse errors.
void lineAndColumn(std::string_view data, qsizetype offset, qint64 *line, qint64 *column);

}  // namespace pcs::io
