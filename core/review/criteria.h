#pragma once

#include "core/common/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace pcs {

// One worked example shown to the assessor model before the real text: the text, the score it
// deserves (0 = conforms fully, 100 = certainly does not conform) and why.
struct FewShotExample {
    QString text;
    int score = 0;
    QString reasoning;

    friend bool operator==(const FewShotExample &, const FewShotExample &) = default;
};

// What the user wants their data to conform to, as the assessor and the reviser are told.
// On disk (JSON, keys as below; unknown keys are errors, so a misspelt key is never ignored):
//   {"name": "...", "principles": "...",
//    "examples": [{"text": "...", "score": 0-100, "reasoning": "..."}, ...],
//    "revision_guidance": "..."}               // optional, may be empty
struct Criteria {
    QString name;
    QString principles;
    QList<FewShotExample> examples;  // may be empty (zero-shot)
    QString revisionGuidance;  // extra instructions for rewriting; may be empty

    // Errors (BadInput) name the file and, for a syntax error, its line and column; for a bad
    // field, its JSON path, e.g. "examples[2].score must be an integer 0–100".
    static Result<Criteria> load(const QString &path);
    // As load(), from bytes; `sourceName` is the file named in errors.
    static Result<Criteria> fromJson(const QByteArray &json, const QString &sourceName = {});

    QJsonObject toJson() const;
    // Writes toJson() indented, atomically; errors: the folder is missing (BadInput), a failed
    // write such as a full disk (Io).
    Status save(const QString &path) const;

    friend bool operator==(const Criteria &, const Criteria &) = default;
};

// Parses bytes that must hold one JSON object, for the review loaders. A syntax error is located
// by line and column in `sourceName`.
Result<QJsonObject> parseJsonObject(const QByteArray &json, const QString &sourceName);
// Reads the file and parses it as above. Errors: unreadable file, syntax, not an object.
Result<QJsonObject> readJsonObjectFile(const QString &path);

}  // namespace pcs
