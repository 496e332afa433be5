#include "core/demo/demodata.h"

#include "core/demo/democorpus.h"
#include "core/io/atomicwrite.h"
#include "core/io/selectionwriter.h"

#include <QDir>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace pcs {

namespace {

// Our own generator so that a seed gives the same data with any standard library.
class DemoRandom {
public:
    explicit DemoRandom(quint64 seed)
        : m_state(seed)
    {
    }

    quint64 next()  // splitmix64
    {
        quint64 z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    double normal()  // Box-Muller
    {
        const double u = 1.0 - uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * uniform());
    }

private:
    quint64 m_state;
};

const QStringList kDomains
    = { QStringLiteral("encyclopedia"), QStringLiteral("science"), QStringLiteral("code"),
        QStringLiteral("news"),         QStringLiteral("forums"),  QStringLiteral("fiction"),
        QStringLiteral("legal"),        QStringLiteral("spam") };
const QStringList kGoodDomains = { QStringLiteral("encyclopedia"), QStringLiteral("science") };

}  // namespace

DemoDataset generateDemoDataset(const DemoOptions &options)
{
    DemoRandom random(options.seed);
    const int n = std::max(3, options.llms);
    const int d = std::max(1, options.texts);
    const int domainCount = int(kDomains.size());

    DemoDataset data;
    data.goodDomains = kGoodDomains;
    std::vector<int> domainOf(static_cast<size_t>(d));
    for (int j = 0; j < d; ++j) {
        domainOf[size_t(j)] = int(random.next() % quint64(domainCount));
        data.domains << kDomains[domainOf[size_t(j)]];
        data.bpb.texts
            << QStringLiteral("%1/%2").arg(data.domains.last()).arg(j, 5, 10, QLatin1Char('0'));
        data.tokenCounts.push_back(std::round(std::exp(random.uniform(5.5, 8.5))));
    }
    for (int i = 0; i < n; ++i)
        data.bpb.llms << QStringLiteral("('demo', 'demo-org/demo-llm-%1')")
                             .arg(i + 1, 3, 10, QLatin1Char('0'));

    std::vector<double> ability(static_cast<size_t>(n));
    Eigen::MatrixXd skill(n, domainCount);
    for (int i = 0; i < n; ++i) {
        ability[size_t(i)] = random.normal();
        for (int g = 0; g < domainCount; ++g)
            skill(i, g) = 0.8 * random.normal();
    }

    data.bpb.values.resize(n, d);
    data.bpb.extraLabels.insert(QStringLiteral("domain"), data.domains);
    Eigen::VectorXd index = Eigen::VectorXd::Zero(n);
    int goodTexts = 0;
    for (int j = 0; j < d; ++j) {
        const double difficulty = random.uniform(0.7, 1.3);
        const double sensitivity = random.uniform(0.06, 0.14);
        const int g = domainOf[size_t(j)];
        const bool good = kGoodDomains.contains(kDomains[g]);
        goodTexts += good;
        for (int i = 0; i < n; ++i) {
            const double bpb = difficulty - sensitivity * (ability[size_t(i)] + skill(i, g))
                + 0.04 * random.normal();
            data.bpb.values(i, j) = std::max(0.05, bpb);
            if (good)
                index[i] += data.bpb.values(i, j);
        }
    }
    index /= double(std::max(1, goodTexts));

    // y = f(<theta, x>) + noise with f increasing: a logistic error rate around the mean index.
    const double centre = index.mean();
    const double scale = std::max(1e-9, std::sqrt((index.array() - centre).square().mean()));
    data.errors.benchmarks = { QStringLiteral("demo_reasoning"), QStringLiteral("demo_knowledge") };
    data.errors.llms = data.bpb.llms;
    data.errors.values.resize(2, n);
    for (int i = 0; i < n; ++i) {
        for (int b = 0; b < 2; ++b) {
            const double z = 1.5 * (index[i] - centre) / scale + 0.3 * random.normal();
            data.errors.values(b, i) = std::clamp(0.5 / (1.0 + std::exp(-z)) + 0.25, 0.0, 1.0);
        }
    }
    return data;
}

namespace {

QByteArray bpbCsv(const DemoDataset &data)
{
    QByteArray out = "id,domain";
    for (const QString &llm : data.bpb.llms) {
        out += ',';
        appendCsvField(out, llm);
    }
    out += '\n';
    for (Eigen::Index j = 0; j < data.bpb.values.cols(); ++j) {
        appendCsvField(out, data.bpb.texts[j]);
        out += ',';
        appendCsvField(out, data.domains[j]);
        for (Eigen::Index i = 0; i < data.bpb.values.rows(); ++i) {
            out += ',';
            appendNumber(out, data.bpb.values(i, j));
        }
        out += '\n';
    }
    return out;
}

QByteArray errorsCsv(const DemoDataset &data)
{
    QByteArray out = "benchmark";
    for (const QString &llm : data.errors.llms) {
        out += ',';
        appendCsvField(out, llm);
    }
    out += '\n';
    for (qsizetype b = 0; b < data.errors.benchmarks.size(); ++b) {
        appendCsvField(out, data.errors.benchmarks[b]);
        for (Eigen::Index i = 0; i < data.errors.values.cols(); ++i) {
            out += ',';
            appendNumber(out, data.errors.values(b, i));
        }
        out += '\n';
    }
    return out;
}

}  // namespace

Result<DemoFiles> writeDemoDataset(const DemoDataset &data, const QString &folder)
{
    if (!QDir().mkpath(folder))
        return Error::badInput(QStringLiteral("cannot create the folder"), folder);
    const QDir dir(folder);
    DemoFiles files { dir.absoluteFilePath(QStringLiteral("bpb.csv")),
                      dir.absoluteFilePath(QStringLiteral("errors.csv")),
                      dir.absoluteFilePath(QStringLiteral("token_counts.csv")),
                      dir.absoluteFilePath(QStringLiteral("truth.csv")),
                      dir.absoluteFilePath(QStringLiteral("texts.jsonl")) };

    QByteArray tokens = "text,tokens\n";
    QByteArray truth = "text,domain,is_good\n";
    for (qsizetype j = 0; j < data.bpb.texts.size(); ++j) {
        appendCsvField(tokens, data.bpb.texts[j]);
        tokens += ',';
        appendNumber(tokens, data.tokenCounts[size_t(j)]);
        tokens += '\n';
        appendCsvField(truth, data.bpb.texts[j]);
        truth += ',' + data.domains[j].toUtf8()
            + (data.goodDomains.contains(data.domains[j]) ? ",1\n" : ",0\n");
    }
    // One set: a folder never holds a BPB matrix of one demo beside the errors of another.
    OutputSet outputs;
    for (const auto &[path, content] :
         { std::pair { files.bpb, bpbCsv(data) }, std::pair { files.errors, errorsCsv(data) },
           std::pair { files.tokenCounts, tokens }, std::pair { files.truth, truth },
           std::pair { files.texts, demoCorpusJsonl(data.bpb.texts, data.domains) } }) {
        auto file = outputs.add(path);
        if (!file)
            return file.error();
        if (Status written = (*file)->write(content); !written)
            return written.error();
    }
    if (Status published = outputs.publish(); !published)
        return published.error();
    return files;
}

}  // namespace pcs
