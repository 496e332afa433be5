#include "core/demo/democorpus.h"

#include "core/io/atomicwrite.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <random>
#include <vector>

namespace pcs {

namespace {

// Pronounceable pseudo-words from syllables; domain vocabularies draw on disjoint syllable
// offsets so two domains rarely share a word by accident.
QString pseudoWord(std::mt19937_64 &random)
{
    static const char *const kOnsets[] = { "b", "c", "d", "f", "g", "k",  "l",  "m",  "n", "p",
                                           "r", "s", "t", "v", "z", "br", "st", "tr", "pl" };
    static const char *const kVowels[] = { "a", "e", "i", "o", "u", "ai", "ou", "é", "ö" };
    std::uniform_int_distribution<int> syllables(2, 4);
    std::uniform_int_distribution<int> onset(0, int(std::size(kOnsets)) - 1);
    std::uniform_int_distribution<int> vowel(0, int(std::size(kVowels)) - 1);
    QString word;
    for (int s = syllables(random); s > 0; --s)
        word += QString::fromUtf8(kOnsets[onset(random)])
            + QString::fromUtf8(kVowels[vowel(random)]);
    return word;
}

std::vector<QString> vocabulary(std::mt19937_64 &random, int size)
{
    std::vector<QString> words;
    words.reserve(std::size_t(size));
    for (int i = 0; i < size; ++i)
        words.push_back(pseudoWord(random));
    return words;
}

}  // namespace

QByteArray demoCorpusJsonl(const QStringList &ids, const QStringList &domains,
                           const DemoCorpusOptions &options)
{
    std::mt19937_64 random(options.seed);
    const std::vector<QString> shared = vocabulary(random, 300);
    QHash<QString, std::vector<QString>> byDomain;
    for (const QString &domain : domains)
        if (!byDomain.contains(domain))
            byDomain.insert(domain, vocabulary(random, 150));

    QByteArray out;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (qsizetype t = 0; t < ids.size(); ++t) {
        const std::vector<QString> &own = byDomain[domains.value(t)];
        QString text;
        for (int w = 0; w < options.wordsPerText; ++w) {
            const bool fromShared = unit(random) < options.sharedWordShare;
            const std::vector<QString> &words = fromShared ? shared : own;
            std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
            if (w > 0)
                text += (w % 17 == 0 && unit(random) < 0.3) ? QStringLiteral("\n")
                                                            : QStringLiteral(" ");
            text += words[pick(random)];
        }
        const QJsonObject record { { QStringLiteral("id"), ids[t] },
                                   { QStringLiteral("domain"), domains.value(t) },
                                   { QStringLiteral("text"), text } };
        out += QJsonDocument(record).toJson(QJsonDocument::Compact);
        out += '\n';
    }
    return out;
}

Status writeDemoCorpus(const QString &path, const QStringList &ids, const QStringList &domains,
                       const DemoCorpusOptions &options)
{
    return writeAtomically(path, demoCorpusJsonl(ids, domains, options));
}

}  // namespace pcs
