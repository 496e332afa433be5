#include "core/bpb/bpbcompute.h"

#include "core/review/tokenbytes.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <cmath>
#include <map>
#include <optional>

namespace pcs {

namespace {

const QString kNoPromptLogprobs = QStringLiteral(
    "the server returned no prompt log-probabilities: it needs vLLM's prompt_logprobs or "
    "echo+logprobs");

QString completionsBase(const QString &baseUrl)
{
    QString base = baseUrl.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base + QStringLiteral("/completions?_=");
}

// Single-window texts keep the fingerprint they always had (nothing about them changed); texts
// of several windows say that their tokens are placed on bytes.
QByteArray fingerprint(const QString &text, int windowChars, int overlapChars, bool windowed)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(QByteArray::number(windowChars) + ',' + QByteArray::number(overlapChars)
                 + (windowed ? ",bytes;" : ";"));
    hash.addData(text.toUtf8());
    return hash.result().toHex();
}

// The SQLite store of finished cells.
class CellStore {
public:
    ~CellStore()
    {
        if (m_db.isValid()) {
            m_db.close();
            m_db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connection);
        }
    }

    Status open(const QString &path)
    {
        m_connection
            = QStringLiteral("pcs-bpb-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        if (!m_db.isValid())
            return Error::internal(
                QStringLiteral("the Qt SQLite driver (QSQLITE) is not available"));
        m_db.setDatabaseName(path.isEmpty() ? QStringLiteral(":memory:") : path);
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!m_db.open())
            return Error::badInput(
                QStringLiteral("cannot open the store: %1").arg(m_db.lastError().text()), path);
        for (const char *sql :
             { "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
               "CREATE TABLE IF NOT EXISTS bpb_cells (llm TEXT NOT NULL, text_id TEXT NOT NULL, "
               "fingerprint TEXT NOT NULL, logprob_sum REAL NOT NULL, bytes INTEGER NOT NULL, "
               "tokens INTEGER NOT NULL, PRIMARY KEY (llm, text_id))" }) {
            QSqlQuery query(m_db);
            if (!query.exec(QString::fromLatin1(sql)))
                return Error::badInput(
                    QStringLiteral("the store is not usable: %1").arg(query.lastError().text()),
                    path);
        }
        m_path = path;
        return Done {};
    }

    struct Cell {
        QByteArray fingerprint;
        double logprobSum = 0;
        qint64 bytes = 0;
    };

    std::map<QString, Cell> cellsFor(const QString &llm)
    {
        std::map<QString, Cell> cells;
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral(
            "SELECT text_id, fingerprint, logprob_sum, bytes FROM bpb_cells WHERE llm = ?"));
        query.addBindValue(llm);
        if (query.exec())
            while (query.next())
                cells[query.value(0).toString()]
                    = Cell { query.value(1).toByteArray(), query.value(2).toDouble(),
                             query.value(3).toLongLong() };
        return cells;
    }

    Status put(const QString &llm, const QString &id, const QByteArray &print, double sum,
               qint64 bytes, qint64 tokens)
    {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("INSERT OR REPLACE INTO bpb_cells VALUES (?, ?, ?, ?, ?, ?)"));
        for (const QVariant &value : { QVariant(llm), QVariant(id), QVariant(print), QVariant(sum),
                                       QVariant(bytes), QVariant(tokens) })
            query.addBindValue(value);
        if (!query.exec())
            return Error::internal(
                QStringLiteral("cannot write to the store: %1").arg(query.lastError().text()),
                m_path);
        return Done {};
    }

private:
    QString m_connection;
    QString m_path;
    QSqlDatabase m_db;
};

// One prompt position: its log-prob (none for the first) and its token as the server spelled it.
struct PromptToken {
    std::optional<double> logprob;
    TokenText token;
};

// Picks the prompt token's entry of one vLLM prompt_logprobs position.
std::optional<std::pair<double, std::optional<QString>>> promptEntry(const QJsonObject &position)
{
    std::optional<std::pair<double, std::optional<QString>>> best;
    qint64 bestRank = -1;
    for (auto it = position.begin(); it != position.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        const QJsonValue logprob = entry.value(QLatin1String("logprob"));
        if (!logprob.isDouble())
            continue;
        const qint64 rank = entry.value(QLatin1String("rank")).toInteger(0);
        if (best && rank <= bestRank)
            continue;
        bestRank = rank;
        const QJsonValue decoded = entry.value(QLatin1String("decoded_token"));
        best = std::make_pair(logprob.toDouble(),
                              decoded.isString() ? std::optional<QString>(decoded.toString())
                                                 : std::nullopt);
    }
    return best;
}

}  // namespace

QString bpbLlmName(const BpbModel &model)
{
    if (!model.name.isEmpty())
        return model.name;
    return model.endpoint.model + QLatin1Char('@') + model.endpoint.baseUrl;
}

std::vector<BpbWindow> bpbWindows(const QString &text, int windowChars, int overlapChars)
{
    std::vector<BpbWindow> windows;
    const qsizetype n = text.size();
    const qsizetype width = std::max(1, windowChars);
    qsizetype start = 0;
    do {
        qsizetype end = std::min(n, start + width);
        if (end < n) {
            qsizetype cut = end;
            while (cut > start + 1 && !text.at(cut).isSpace())
                --cut;
            if (cut > start + 1)
                end = cut;
            else if (text.at(end).isLowSurrogate() && end - 1 > start)
                --end;
        }
        const qsizetype context
            = start == 0 ? 0 : std::max<qsizetype>(0, start - std::max(0, overlapChars));
        windows.push_back(BpbWindow { context, start, end });
        start = end;
    } while (start < n);
    return windows;
}

QString bpbApiName(BpbApi api)
{
    switch (api) {
    case BpbApi::Vllm:
        return QStringLiteral("vllm");
    case BpbApi::OpenAiLegacy:
        return QStringLiteral("openai-legacy");
    case BpbApi::VllmChat:
        return QStringLiteral("vllm-chat");
    }
    return {};
}

std::optional<BpbApi> bpbApiFromName(const QString &name)
{
    if (name == QLatin1String("vllm"))
        return BpbApi::Vllm;
    if (name == QLatin1String("openai-legacy"))
        return BpbApi::OpenAiLegacy;
    if (name == QLatin1String("vllm-chat"))
        return BpbApi::VllmChat;
    return std::nullopt;
}

QString bpbRequestUrl(BpbApi api)
{
    return api == BpbApi::VllmChat ? QStringLiteral("/v1/chat/completions")
                                   : QStringLiteral("/v1/completions");
}

QJsonObject bpbRequestBody(BpbApi api, const QString &model, const QString &prompt)
{
    if (api == BpbApi::VllmChat)
        return QJsonObject {
            { QStringLiteral("model"), model },
            { QStringLiteral("messages"),
              QJsonArray { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                         { QStringLiteral("content"), prompt } } } },
            { QStringLiteral("chat_template"), QLatin1String(kBpbRawTextChatTemplate) },
            { QStringLiteral("add_generation_prompt"), false },
            { QStringLiteral("add_special_tokens"), true },
            { QStringLiteral("max_completion_tokens"), 1 },
            { QStringLiteral("temperature"), 0 },
            { QStringLiteral("prompt_logprobs"), 0 }
        };
    QJsonObject body { { QStringLiteral("model"), model },
                       { QStringLiteral("prompt"), prompt },
                       { QStringLiteral("max_tokens"), 1 },
                       { QStringLiteral("temperature"), 0 } };
    if (api == BpbApi::Vllm) {
        body.insert(QStringLiteral("prompt_logprobs"), 0);
    } else {
        body.insert(QStringLiteral("echo"), true);
        body.insert(QStringLiteral("logprobs"), 1);
    }
    return body;
}

Result<BpbWindowScore> scoreCompletionsAnswer(const QJsonObject &body, const QString &prompt,
                                              qsizetype contextLength)
{
    const QJsonObject choice = body.value(QLatin1String("choices")).toArray().at(0).toObject();
    std::vector<PromptToken> positions;
    QJsonValue promptLogprobs = choice.value(QLatin1String("prompt_logprobs"));
    if (!promptLogprobs.isArray())  // vLLM's chat answers put them beside the choices
        promptLogprobs = body.value(QLatin1String("prompt_logprobs"));
    if (promptLogprobs.isArray()) {
        for (const QJsonValue &value : promptLogprobs.toArray()) {
            if (value.isNull()) {
                positions.push_back({});
                continue;
            }
            const auto entry = promptEntry(value.toObject());
            if (!entry)
                return Error::badInput(QStringLiteral("a prompt_logprobs position has no logprob"));
            positions.push_back({ entry->first, TokenText { entry->second, std::nullopt } });
        }
    } else {
        const QJsonObject logprobs = choice.value(QLatin1String("logprobs")).toObject();
        const QJsonArray tokenLogprobs = logprobs.value(QLatin1String("token_logprobs")).toArray();
        if (tokenLogprobs.isEmpty() || !tokenLogprobs.at(0).isNull())
            return Error::badInput(kNoPromptLogprobs);  // without echo, the first one is not null
        const QJsonArray tokens = logprobs.value(QLatin1String("tokens")).toArray();
        qint64 generated = body.value(QLatin1String("usage"))
                               .toObject()
                               .value(QLatin1String("completion_tokens"))
                               .toInteger(1);
        generated = std::clamp<qint64>(generated, 0, tokenLogprobs.size() - 1);
        for (qsizetype i = 0; i < tokenLogprobs.size() - generated; ++i) {
            const QJsonValue value = tokenLogprobs.at(i);
            const QJsonValue token = tokens.at(i);
            positions.push_back(
                { value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt,
                  TokenText { token.isString() ? std::optional(token.toString()) : std::nullopt,
                              std::nullopt } });
        }
    }
    if (positions.empty())
        return Error::badInput(kNoPromptLogprobs);

    // Which tokens start in the scored part: placed on bytes, needed only with a context.
    std::vector<TokenPlace> places;
    const qsizetype contextBytes = prompt.left(contextLength).toUtf8().size();
    if (contextLength > 0) {
        std::vector<TokenText> texts;
        for (const PromptToken &position : positions)
            texts.push_back(position.token);
        // The first position is never summed; its text may be a special token's name (a BOS
        // some server spells out) rather than text of the prompt: any bytes at all.
        if (!positions.front().logprob)
            texts.front() = TokenText {};
        auto placed = placeTokensOnBytes(texts, prompt.toUtf8());
        if (!placed)
            return Error::badInput(QStringLiteral(
                "the server's tokens do not spell the window's text, not even read as bytes, so "
                "which of them lie in the scored part is unknown; use an overlap of 0"));
        places = std::move(*placed);
    }
    BpbWindowScore score;
    for (size_t i = 0; i < positions.size(); ++i) {
        const std::optional<double> &logprob = positions[i].logprob;
        if (!logprob)
            continue;
        if (contextLength > 0 && places[i].earliest < contextBytes)
            continue;  // in the context, across its end, or not certainly after it
        if (!std::isfinite(*logprob))
            return Error::badInput(
                QStringLiteral("the server returned a non-finite log-probability"));
        score.logprobSum += *logprob;
        ++score.tokens;
    }
    return score;
}

Result<std::vector<BpbText>> readBpbTexts(const QString &path, const QString &textField,
                                          const QString &idField)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot open: %1").arg(file.errorString()), path);
    std::vector<BpbText> texts;
    QSet<QString> seen;
    qint64 lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject())
            return Error::badInput(parseError.error != QJsonParseError::NoError
                                       ? parseError.errorString()
                                       : QStringLiteral("not a JSON object"),
                                   path, lineNumber);
        const QJsonObject object = document.object();
        const QJsonValue text = object.value(textField);
        if (!text.isString())
            return Error::badInput(QStringLiteral("no string field \"%1\"").arg(textField), path,
                                   lineNumber);
        if (text.toString().isEmpty())
            return Error::badInput(QStringLiteral("the text is empty (BPB is undefined)"), path,
                                   lineNumber);
        const QJsonValue idValue = object.value(idField);
        QString id;
        if (idValue.isString())
            id = idValue.toString();
        else if (idValue.isDouble())
            id = QString::number(idValue.toDouble(), 'g', 17);
        else if (idValue.isUndefined() || idValue.isNull())
            id = QString::number(lineNumber);
        else
            return Error::badInput(
                QStringLiteral("the field \"%1\" is neither a string nor a number").arg(idField),
                path, lineNumber);
        if (seen.contains(id))
            return Error::badInput(QStringLiteral("duplicate id \"%1\"").arg(id), path, lineNumber);
        seen.insert(id);
        texts.push_back(BpbText { id, text.toString() });
    }
    if (texts.empty())
        return Error::badInput(QStringLiteral("no texts"), path);
    return texts;
}

double bpbFromWindowSums(const std::vector<double> &windowSums, qint64 utf8Bytes)
{
    double sum = 0;
    for (const double windowSum : windowSums)
        sum += windowSum;
    return -sum / (std::log(2.0) * double(utf8Bytes));
}

Result<BpbMatrix> computeBpbMatrix(const std::vector<BpbText> &texts,
                                   const std::vector<BpbModel> &models,
                                   const BpbComputeOptions &options, BpbComputeStats *stats,
                                   const std::function<void(int, int)> &progress)
{
    BpbComputeStats localStats;
    BpbComputeStats &counts = stats ? *stats : localStats;
    counts = {};
    if (models.empty())
        return Error::badInput(QStringLiteral("no LLM given"));
    BpbMatrix matrix;
    for (const BpbText &text : texts) {
        if (text.text.isEmpty())
            return Error::badInput(
                QStringLiteral("text \"%1\" is empty (BPB is undefined)").arg(text.id));
        matrix.texts.append(text.id);
    }
    for (const BpbModel &model : models) {
        const QString name = bpbLlmName(model);
        if (model.endpoint.baseUrl.contains(QLatin1Char('?')))
            return Error::badInput(
                QStringLiteral("the base URL %1 has a query string; it is not supported")
                    .arg(model.endpoint.baseUrl));
        if (matrix.llms.contains(name))
            return Error::badInput(QStringLiteral("the LLM name \"%1\" is given twice").arg(name));
        matrix.llms.append(name);
    }
    matrix.values = Eigen::MatrixXd::Constant(qsizetype(models.size()), qsizetype(texts.size()),
                                              std::nan(""));

    CellStore store;
    if (Status opened = store.open(options.storePath); !opened)
        return opened.error();

    const int total = int(texts.size() * models.size());
    int done = 0;
    std::vector<QByteArray> prints;
    std::vector<qint64> bytes;
    std::vector<std::vector<BpbWindow>> textWindows;
    for (const BpbText &text : texts) {
        textWindows.push_back(bpbWindows(text.text, options.windowChars, options.overlapChars));
        prints.push_back(fingerprint(text.text, options.windowChars, options.overlapChars,
                                     textWindows.back().size() > 1));
        bytes.push_back(text.text.toUtf8().size());
    }

    for (size_t m = 0; m < models.size(); ++m) {
        const QString llm = matrix.llms[qsizetype(m)];
        const auto stored = store.cellsFor(llm);
        struct Pending {
            size_t text = 0;
            int windowsLeft = 0;
            std::vector<double> windowSums;  // added in window order once all are in
            qint64 tokens = 0;
        };
        struct Job {
            size_t pending = 0;
            size_t window = 0;
            QString prompt;
            qsizetype contextLength = 0;
        };
        std::vector<Pending> pending;
        std::vector<Job> jobs;
        std::vector<ChatRequest> requests;
        for (size_t t = 0; t < texts.size(); ++t) {
            const auto found = stored.find(texts[t].id);
            if (found != stored.end() && found->second.fingerprint == prints[t]) {
                matrix.values(qsizetype(m), qsizetype(t))
                    = bpbFromWindowSums({ found->second.logprobSum }, found->second.bytes);
                ++counts.textsFromStore;
                ++done;
                continue;
            }
            const std::vector<BpbWindow> &windows = textWindows[t];
            pending.push_back(
                Pending { t, int(windows.size()), std::vector<double>(windows.size(), 0.0), 0 });
            for (size_t w = 0; w < windows.size(); ++w) {
                const BpbWindow &window = windows[w];
                const QString prompt
                    = texts[t].text.mid(window.contextStart, window.end - window.contextStart);
                jobs.push_back(Job { pending.size() - 1, w, prompt,
                                     window.scoredStart - window.contextStart });
                ChatRequest request;
                request.tag = jobs.size() - 1;
                request.body = bpbRequestBody(models[m].api, models[m].endpoint.model, prompt);
                requests.push_back(std::move(request));
            }
        }
        if (progress)
            progress(done, total);
        if (requests.empty())
            continue;

        LlmEndpoint endpoint = models[m].endpoint;
        if (models[m].api != BpbApi::VllmChat)  // LlmClient posts to /chat/completions itself
            endpoint.baseUrl = completionsBase(endpoint.baseUrl);
        LlmClient client(endpoint, options.limits);
        std::optional<Error> failure;
        QEventLoop loop;
        QObject::connect(&client, &LlmClient::finished, &loop, [&](const ChatResponse &response) {
            ++counts.requestsSent;
            if (failure)
                return;
            const Job &job = jobs[size_t(response.tag)];
            Pending &cell = pending[job.pending];
            Result<BpbWindowScore> score = response.ok()
                ? scoreCompletionsAnswer(response.body, job.prompt, job.contextLength)
                : Result<BpbWindowScore>(*response.error);
            if (!score) {
                Error error = score.error();
                error.reason = QStringLiteral("%1, text \"%2\": %3")
                                   .arg(llm, texts[cell.text].id, error.reason);
                failure = error;
                client.cancel();
                return;
            }
            cell.windowSums[job.window] = score->logprobSum;
            cell.tokens += score->tokens;
            if (--cell.windowsLeft > 0)
                return;
            double sum = 0;  // in window order, whatever order the answers came in
            for (const double windowSum : cell.windowSums)
                sum += windowSum;
            if (Status put = store.put(llm, texts[cell.text].id, prints[cell.text], sum,
                                       bytes[cell.text], cell.tokens);
                !put) {
                failure = put.error();
                client.cancel();
                return;
            }
            matrix.values(qsizetype(m), qsizetype(cell.text))
                = bpbFromWindowSums(cell.windowSums, bytes[cell.text]);
            ++counts.textsComputed;
            if (progress)
                progress(++done, total);
        });
        QObject::connect(&client, &LlmClient::idle, &loop, &QEventLoop::quit);
        for (ChatRequest &request : requests)
            client.submit(std::move(request));
        loop.exec();
        if (failure)
            return *failure;
    }
    return matrix;
}

}  // namespace pcs
