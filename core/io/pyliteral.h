#pragma once

#include <QString>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Just enough of Python's literal syntax to read a .npy header: a dict of strings, booleans,
// None, integers, tuples and lists.
namespace pcs::io {

struct PyValue {
    enum Kind { String, Bool, Int, None, Tuple, List };
    Kind kind = None;
    std::string text;
    bool boolean = false;
    qint64 integer = 0;
    std::vector<PyValue> items;
};

struct PyDict {
    std::vector<std::pair<std::string, PyValue>> entries;
    const PyValue *find(std::string_view key) const;
};

// Parses `{'key': value, ...}` (surrounding spaces and newline padding allowed).
bool parsePyDict(std::string_view text, PyDict *dict, QString *error);

}  // namespace pcs::io
