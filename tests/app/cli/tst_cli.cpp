// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/cli_runner.h"

#include <QtTest>

using meshcraft::tests::runMeshcraft;

class tst_Cli : public QObject
{
    Q_OBJECT

private slots:
    void versionPrintsProjectVersion();
    void helpListsUsage();
    void unknownCommandIsUsageError();
};

void tst_Cli::versionPrintsProjectVersion()
{
    const auto run = runMeshcraft(MESHCRAFT_BINARY, {"--version"});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith("meshcraft "), qPrintable(run.out));
    QVERIFY(QRegularExpression(R"(^meshcraft \d+\.\d+\.\d+\n$)").match(run.out).hasMatch());
}

void tst_Cli::helpListsUsage()
{
    const auto run = runMeshcraft(MESHCRAFT_BINARY, {"--help"});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("Usage: meshcraft"), qPrintable(run.out));
}

void tst_Cli::unknownCommandIsUsageError()
{
    const auto run = runMeshcraft(MESHCRAFT_BINARY, {"frobnicate"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("unknown command 'frobnicate'"), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

QTEST_APPLESS_MAIN(tst_Cli)
#include "tst_cli.moc"
