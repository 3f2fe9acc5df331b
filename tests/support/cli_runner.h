// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace meshcraft::tests {

/// Runs the real `meshcraft` binary, as a user or a script would, and keeps what it printed.
struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

inline CliRun runMeshcraft(const QString &binary, const QStringList &args,
                           const QByteArray &stdinData = {}, int timeoutMs = 60000)
{
    QProcess process;
    process.start(binary, args);
    CliRun run;
    if (!process.waitForStarted()) {
        run.err = QStringLiteral("could not start ") + binary;
        return run;
    }
    if (!stdinData.isEmpty()) {
        process.write(stdinData);
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace meshcraft::tests
