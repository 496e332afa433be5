#include "app/cli/clicommands.h"

#include "app/cli/clisupport.h"

#include "pcstudio_version.h"

#include <cstdio>
#include <functional>
#include <map>

namespace pcs::cli {

namespace {

const char *const kUsage
    = "Usage: pcstudio-cli COMMAND [OPTIONS]\n"
      "\n"
      "Perplexity Correlations Studio, headless.\n"
      "\n"
      "Commands:\n"
      "  estimate   per-text estimate from a BPB matrix and benchmark errors\n"
      "  project    sampling distribution from an estimate and per-text caps\n"
      "  select     estimate, then project, in one run (--bootstrap B: how stable it is)\n"
      "  validate   does a selection chosen on some LLMs predict held-out LLMs? (K folds)\n"
      "  demo       generate a synthetic dataset with a known answer and run select on it\n"
      "  filter     train a fastText filter from a selection (filter train), apply it (filter "
      "apply)\n"
      "  review     LLM-assisted curation: review "
      "run|import|status|thresholds|export|batch-export|batch-import|audit|calibrate\n"
      "  bpb        the BPB matrix from per-chunk losses (bpb aggregate) or a server (bpb "
      "compute)\n"
      "\n"
      "Run `pcstudio-cli COMMAND --help` for a command's options.\n"
      "Exit codes: 0 success, 2 bad input or usage (one line FILE:LINE:COLUMN: reason on stderr), "
      "1 internal error.\n";

}  // namespace

int runCli(const QStringList &arguments)
{
    const std::map<QString, std::function<int(const QStringList &)>> commands = {
        { QStringLiteral("estimate"), runEstimateCommand },
        { QStringLiteral("project"), runProjectCommand },
        { QStringLiteral("select"), runSelectCommand },
        { QStringLiteral("validate"), runValidateCommand },
        { QStringLiteral("demo"), runDemoCommand },
        { QStringLiteral("filter"), runFilterCommand },
        { QStringLiteral("review"), runReviewCommand },
        { QStringLiteral("bpb"), runBpbCommand },
    };
    if (arguments.isEmpty()) {
        std::fputs(kUsage, stderr);
        return ExitBadInput;
    }
    const QString &first = arguments.first();
    if (first == QLatin1String("--help") || first == QLatin1String("-h")
        || first == QLatin1String("help")) {
        std::fputs(kUsage, stdout);
        return ExitOk;
    }
    if (first == QLatin1String("--version") || first == QLatin1String("version")) {
        std::fputs("pcstudio-cli " PCSTUDIO_VERSION "\n", stdout);
        return ExitOk;
    }
    const auto command = commands.find(first);
    if (command == commands.end()) {
        std::fputs(qPrintable(QStringLiteral("pcstudio-cli: unknown command '%1'\n\n").arg(first)),
                   stderr);
        std::fputs(kUsage, stderr);
        return ExitBadInput;
    }
    return command->second(arguments);
}

}  // namespace pcs::cli
