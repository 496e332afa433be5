#include "core/io/sha256.h"

#include "core/io/filekind.h"

#include <QFile>

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace pcs::io {

struct Sha256::State {
    EVP_MD_CTX *context = nullptr;
};

Sha256::Sha256()
    : m_state(std::make_unique<State>())
{
    m_state->context = EVP_MD_CTX_new();
    EVP_DigestInit_ex(m_state->context, EVP_sha256(), nullptr);
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_state->context);
}

void Sha256::add(std::string_view bytes)
{
    EVP_DigestUpdate(m_state->context, bytes.data(), bytes.size());
}

QString Sha256::finishHex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_state->context, digest, &length);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex());
}

Result<QString> sha256OfFile(const QString &path)
{
    if (Status regular = checkRegularFile(path); !regular)
        return regular.error();  // before opening: a FIFO would block, a device never end
    const int descriptor = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0)
        return Error::badInput(
            QStringLiteral("cannot open: %1").arg(QString::fromLocal8Bit(std::strerror(errno))),
            path);
    ::posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL);
    Sha256 hash;
    std::vector<char> buffer(std::size_t(4) << 20);
    for (;;) {
        const ssize_t got = ::read(descriptor, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            const int error = errno;
            ::close(descriptor);
            return Error::internal(
                QStringLiteral("cannot read: %1").arg(QString::fromLocal8Bit(std::strerror(error))),
                path);
        }
        if (got == 0)
            break;
        hash.add({ buffer.data(), std::size_t(got) });
    }
    ::close(descriptor);
    return hash.finishHex();
}

}  // namespace pcs::io
