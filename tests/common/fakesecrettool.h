#pragma once

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcessEnvironment>
#include <QString>
#include <QTemporaryDir>

namespace pcs::test {

// A stand-in for libsecret's `secret-tool` (store / lookup of attributes "service pcstudio url
// URL"), first on PATH while it lives: entries are files in a temporary directory, and every
// command line is logged so that tests can check a key never appears on one. setDelaySeconds
// makes it slow (a keychain that prompts), setBroken makes it fail as without a D-Bus session.
class FakeSecretTool {
public:
    FakeSecretTool()
        : m_savedPath(qgetenv("PATH"))
    {
        const QString script = QString::fromUtf8(R"sh(#!/bin/sh
dir='%1'
printf '%s\n' "$*" >> "$dir/log"
[ -f "$dir/delay" ] && sleep "$(cat "$dir/delay")"
if [ -f "$dir/broken" ]; then echo 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2; exit 1; fi
entry() { printf '%s' "$1" | md5sum | cut -c1-32; }
if [ "$1" = store ] && [ "$3 $4 $5" = "service pcstudio url" ]; then
  cat > "$dir/$(entry "$6").key"; exit 0
fi
if [ "$1 $2 $3 $4" = "lookup service pcstudio url" ]; then
  [ -f "$dir/$(entry "$5").key" ] || exit 1
  cat "$dir/$(entry "$5").key"; exit 0
fi
echo "usage: secret-tool store|lookup" >&2; exit 2
)sh")
                                   .arg(m_dir.path());
        QFile tool(QDir(m_dir.path()).filePath(QStringLiteral("secret-tool")));
        m_valid = tool.open(QIODevice::WriteOnly) && tool.write(script.toUtf8()) > 0;
        tool.close();
        m_valid = m_valid
            && tool.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("PATH", m_dir.path().toUtf8() + ':' + m_savedPath);
    }
    ~FakeSecretTool() { qputenv("PATH", m_savedPath); }
    FakeSecretTool(const FakeSecretTool &) = delete;
    FakeSecretTool &operator=(const FakeSecretTool &) = delete;

    bool isValid() const { return m_valid && m_dir.isValid(); }
    // PATH for child processes: the stand-in first.
    QString path() const { return QString::fromLocal8Bit(qgetenv("PATH")); }

    void setEntry(const QString &url, const QByteArray &key) { write(entryFile(url), key); }
    QByteArray entry(const QString &url) const { return read(entryFile(url)); }
    QByteArray commandLines() const { return read(file(QStringLiteral("log"))); }
    void setDelaySeconds(int seconds)
    {
        write(file(QStringLiteral("delay")), QByteArray::number(seconds));
    }
    void setBroken(bool broken)
    {
        if (broken)
            write(file(QStringLiteral("broken")), "1");
        else
            QFile::remove(file(QStringLiteral("broken")));
    }

private:
    QString file(const QString &name) const { return QDir(m_dir.path()).filePath(name); }
    QString entryFile(const QString &url) const
    {
        return file(QString::fromLatin1(
                        QCryptographicHash::hash(url.toUtf8(), QCryptographicHash::Md5).toHex())
                    + QStringLiteral(".key"));
    }
    static void write(const QString &path, const QByteArray &data)
    {
        QFile out(path);
        if (out.open(QIODevice::WriteOnly))
            out.write(data);
    }
    static QByteArray read(const QString &path)
    {
        QFile in(path);
        return in.open(QIODevice::ReadOnly) ? in.readAll() : QByteArray();
    }

    QTemporaryDir m_dir;
    QByteArray m_savedPath;
    bool m_valid = false;
};

}  // namespace pcs::test
