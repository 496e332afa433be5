#pragma once

#include "core/common/error.h"

#include <QHash>
#include <QStringList>

#include <utility>

namespace pcs {

// One kind of warning: what happened (the headline, also the kind's identity), what is counted
// ("task" -> "3 tasks") and, optionally, the name of labels worth listing ("metrics").
struct WarningKind {
    WarningKind(QString headlineText, QString countedNoun = QStringLiteral("task"),
                QString listedLabels = {})
        : headline(std::move(headlineText))
        , noun(std::move(countedNoun))
        , labelNoun(std::move(listedLabels))
    {
    }

    QString headline;
    QString noun;
    QString labelNoun;  // empty = labels are not listed
};

// Groups warnings so that a run over a folder of 130 tasks says a handful of lines, each with
// a count and its first example, instead of one line per task:
//   "<headline> (3 tasks; metrics: foo, score; first: task odd)"
// The line carries the file, line and column of the first example.
class WarningCollector {
public:
    // Counts one occurrence of `kind`. `label` (e.g. a metric name) joins the kind's sorted
    // list of distinct labels when the kind has a labelNoun.
    void add(const WarningKind &kind, const Error &example, const QString &label = {});

    int count(const QString &headline) const;
    bool isEmpty() const { return m_order.isEmpty(); }

    // One warning per kind, in the order the kinds were first seen.
    Warnings warnings() const;

private:
    struct Group {
        WarningKind kind;
        Error first;
        int count = 0;
        QStringList labels;  // distinct, sorted
    };
    QStringList m_order;  // headlines, first seen first
    QHash<QString, Group> m_groups;
};

}  // namespace pcs
