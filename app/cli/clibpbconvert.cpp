// bpb convert: any BPB file as a .npy matrix with its names files (the layout estimation streams).
#include "app/cli/clibpbconvert.h"

#include "app/cli/clisupport.h"
#include "core/io/bpbconvert.h"
#include "core/io/npywriter.h"
#include "core/io/outputpaths.h"

namespace pcs::cli {

int runBpbConvertCommand(const QStringList &arguments)
{
    const QString command = QStringLiteral("bpb convert");
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("bpb"),
                       QStringLiteral("BPB matrix: CSV/TSV (text rows, LLM rows or "
                                      "llm,text,bpb) or .npy."),
                       QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("layout"),
                       QStringLiteral("BPB layout: auto (default), text-rows, llm-rows, long or "
                                      "npy."),
                       QStringLiteral("NAME"), QStringLiteral("auto") });
    parser.addOption({ QStringLiteral("texts"),
                       QStringLiteral("For .npy: text names, one per line."),
                       QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("llms"), QStringLiteral("For .npy: LLM names, one per line."),
                       QStringLiteral("FILE") });
    parser.addOption({ QStringLiteral("text-column"),
                       QStringLiteral("Text-rows layout: the label column naming texts."),
                       QStringLiteral("NAME") });
    parser.addOption({ QStringLiteral("output"),
                       QStringLiteral("The .npy to write; NAME.texts.txt and NAME.llms.txt are "
                                      "written beside it."),
                       QStringLiteral("M.npy") });
    parser.addOption({ QStringLiteral("dtype"),
                       QStringLiteral("f64 (default, exact) or f32 (half the size; values "
                                      "rounded to float)."),
                       QStringLiteral("TYPE"), QStringLiteral("f64") });
    parser.addOption({ QStringLiteral("order"),
                       QStringLiteral("fortran (default: each text's values together, which "
                                      "estimation reads in file order) or c."),
                       QStringLiteral("ORDER"), QStringLiteral("fortran") });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, command,
                    QStringLiteral("Write a BPB matrix as .npy with its names files."), &exitCode))
        return exitCode;
    const QString input = parser.value(QStringLiteral("bpb"));
    const QString output = parser.value(QStringLiteral("output"));
    if (input.isEmpty())
        return usageError(QStringLiteral("--bpb is required"), command);
    if (output.isEmpty())
        return usageError(QStringLiteral("--output is required"), command);
    if (!output.endsWith(QLatin1String(".npy"), Qt::CaseInsensitive))
        return usageError(QStringLiteral("--output must end in .npy, not '%1'").arg(output),
                          command);
    BpbLoadOptions load;
    if (!bpbLayoutFromName(parser.value(QStringLiteral("layout")), &load.layout))
        return usageError(QStringLiteral("unknown layout '%1'; choose auto, text-rows, "
                                         "llm-rows, long or npy")
                              .arg(parser.value(QStringLiteral("layout"))),
                          command);
    load.textsFile = parser.value(QStringLiteral("texts"));
    load.llmsFile = parser.value(QStringLiteral("llms"));
    load.textColumn = parser.value(QStringLiteral("text-column"));
    BpbConvertOptions options;
    const QString dtype = parser.value(QStringLiteral("dtype")).toLower();
    if (dtype == QLatin1String("f32") || dtype == QLatin1String("float32"))
        options.dtype = NpyDtype::Float32;
    else if (dtype != QLatin1String("f64") && dtype != QLatin1String("float64"))
        return usageError(QStringLiteral("unknown --dtype '%1'; choose f32 or f64").arg(dtype),
                          command);
    const QString order = parser.value(QStringLiteral("order")).toLower();
    if (order == QLatin1String("c"))
        options.fortranOrder = false;
    else if (order != QLatin1String("fortran") && order != QLatin1String("f"))
        return usageError(QStringLiteral("unknown --order '%1'; choose fortran or c").arg(order),
                          command);
    QList<NamedPath> inputs = bpbMatrixFiles(input, QStringLiteral("--bpb"));
    inputs << NamedPath { load.textsFile, QStringLiteral("--texts") }
           << NamedPath { load.llmsFile, QStringLiteral("--llms") };
    if (const auto refused
        = refuseOverwrites({ { output, QStringLiteral("--output") },
                             { npyTextsFileFor(output), QStringLiteral("--output's texts file") },
                             { npyLlmsFileFor(output), QStringLiteral("--output's LLMs file") } },
                           inputs))
        return *refused;
    auto converted = convertBpbToNpy(input, load, output, options);
    if (!converted)
        return reportError(converted.error());
    printWarnings(converted->warnings);
    printInfo(QStringLiteral("wrote %1 (%2 LLMs x %3 texts, %4, %5 order%6) with %7 and %8")
                  .arg(output)
                  .arg(converted->llms)
                  .arg(converted->texts)
                  .arg(options.dtype == NpyDtype::Float32 ? QStringLiteral("float32")
                                                          : QStringLiteral("float64"))
                  .arg(options.fortranOrder ? QStringLiteral("Fortran") : QStringLiteral("C"))
                  .arg(converted->streamed ? QStringLiteral(", streamed") : QString())
                  .arg(npyTextsFileFor(output), npyLlmsFileFor(output)));
    return ExitOk;
}

}  // namespace pcs::cli
