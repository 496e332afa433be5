// Times the bootstrap over LLMs (selection/bootstrap.h) on random data held in memory, against
// the target: B = 200 resamples at N = 100 LLMs, D = 1,000,000 texts in <= 120 s.
//
//   bench_bootstrap [N] [D] [B] [threads] [--estimator NAME] [--projection linear|l2]
//
// Defaults: 100 LLMs, 1,000,000 texts, 200 resamples, 2 threads, spearmanr, linear. The data
// have a per-LLM quality offset (real BPB rows are strongly correlated) and errors that follow
// it, so the selection is not pure noise. Prints seconds per resample, the total and the peak
// memory (the matrix alone is N·D·8 bytes).

#include "core/selection/bootstrap.h"
#include "core/selection/projection.h"

#include <QCoreApplication>
#include <QFile>
#include <QStringList>

#include <chrono>
#include <cmath>
#include <cstdio>

namespace {

struct Random {
    quint64 state;
    quint64 next()
    {
        quint64 z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
};

double peakRssMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024;
    return -1;
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList positional;
    pcs::Estimator estimator = pcs::Estimator::Spearmanr;
    pcs::Projection projection = pcs::Projection::Linear;
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--estimator") && i + 1 < args.size()) {
            estimator = pcs::estimatorFromName(args[++i]).value_or(estimator);
        } else if (args[i] == QLatin1String("--projection") && i + 1 < args.size()) {
            projection = pcs::projectionFromName(args[++i]).value_or(projection);
        } else {
            positional << args[i];
        }
    }
    const Eigen::Index n = positional.value(0, QStringLiteral("100")).toLongLong();
    const Eigen::Index d = positional.value(1, QStringLiteral("1000000")).toLongLong();
    const int resamples = positional.value(2, QStringLiteral("200")).toInt();
    const int threads = positional.value(3, QStringLiteral("2")).toInt();

    Random random { 42 };
    Eigen::VectorXd quality(n), errors(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        quality[i] = random.uniform();
        errors[i] = 0.7 - 0.4 * quality[i] + 0.05 * random.uniform();
    }
    Eigen::MatrixXd bpb(n, d);
    for (Eigen::Index j = 0; j < d; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            bpb(i, j) = 1.2 - 0.2 * quality[i] + 0.1 * random.uniform();

    auto start = std::chrono::steady_clock::now();
    auto full = pcs::estimate(bpb, {}, errors, { estimator, threads });
    const Eigen::VectorXd tau = *pcs::uniformTau(d, 0.1);
    auto weight = pcs::project(*full, tau, projection);
    if (!full || !weight) {
        std::fprintf(stderr, "full-data selection failed\n");
        return 1;
    }
    std::printf("full-data estimate + projection: %.2f s\n", secondsSince(start));

    pcs::BootstrapOptions options;
    options.resamples = resamples;
    options.seed = 1;
    options.estimator = estimator;
    options.projection = projection;
    options.threads = threads;
    start = std::chrono::steady_clock::now();
    auto result = pcs::bootstrapSelection(bpb, {}, errors, tau, *weight, options);
    const double total = secondsSince(start);
    if (!result) {
        std::fprintf(stderr, "bootstrap failed: %s\n", qPrintable(result.error().reason));
        return 1;
    }
    std::printf("bootstrap %s/%s, N = %lld, D = %lld, B = %d, %d threads: %.1f s (%.3f s per "
                "resample); target for B = 200 at N = 100, D = 1e6: <= 120 s -> %s\n",
                qPrintable(pcs::estimatorName(estimator)),
                qPrintable(pcs::projectionName(projection)), static_cast<long long>(n),
                static_cast<long long>(d), resamples, threads, total, total / resamples,
                n == 100 && d == 1000000 && resamples == 200
                    ? (total <= 120 ? "met" : "MISSED")
                    : "not this size (run the defaults to check it)");
    std::printf("mean Jaccard %.3f, %lld of %lld selected texts stable; peak RSS %.0f MiB "
                "(matrix %.0f MiB)\n",
                result->meanJaccard, static_cast<long long>(result->stableCount),
                static_cast<long long>(result->fullSelectedCount), peakRssMiB(),
                double(n * d) * 8 / 1048576);
    return 0;
}
