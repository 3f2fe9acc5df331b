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
    void validate_data();
    void validate();
    void validateReadsStdin();
    void analyze_data();
    void analyze();
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

void tst_Cli::validate_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("expectedLines"); // regular expressions, one per output line
    QTest::addColumn<QString>("expectedErr");
    const QString data = QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/cli/");
    QTest::addRow("serviceentry-placeholder-refused")
        << QStringList{data + "redis-serviceentry-placeholder.yaml"} << 1
        << QStringList{R"(^.*redis-serviceentry-placeholder\.yaml:9:5: error: REDIS_ENDPOINT is )"
                       R"(not a valid IP \[istio\.invalid-address\]$)"}
        << QString();
    QTest::addRow("serviceentry-with-ip-clean")
        << QStringList{data + "redis-serviceentry.yaml"} << 0 << QStringList{} << QString();
    QTest::addRow("egress-file-one-warning")
        << QStringList{data + "redis-egress.yaml"} << 0
        << QStringList{R"(^.*redis-egress\.yaml:15:5: warning: .*spec\.servers\[0\]\.addresses.*$)"}
        << QString();
    QTest::addRow("several-files-any-error-fails")
        << QStringList{data + "redis-serviceentry.yaml",
                       data + "redis-serviceentry-placeholder.yaml"}
        << 1 << QStringList{R"(^.*:9:5: error: REDIS_ENDPOINT is not a valid IP.*$)"} << QString();
    QTest::addRow("unreadable-file-usage-error")
        << QStringList{data + "does-not-exist.yaml"} << 2 << QStringList{}
        << "cannot read .*does-not-exist.yaml: No such file or directory";
    QTest::addRow("no-file-usage-error") << QStringList{} << 2 << QStringList{} << "no FILE given";
    QTest::addRow("unknown-option-usage-error")
        << QStringList{"--frob", data + "redis-serviceentry.yaml"} << 2 << QStringList{}
        << "unknown option --frob";
}

void tst_Cli::validate()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QStringList, expectedLines);
    QFETCH(QString, expectedErr);
    const auto run = runMeshcraft(MESHCRAFT_BINARY, QStringList{"validate"} + args);
    QVERIFY2(run.exitCode == exitCode, qPrintable(run.out + run.err));
    const QStringList lines = run.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), expectedLines.size());
    for (int i = 0; i < lines.size(); ++i) {
        QVERIFY2(QRegularExpression(expectedLines[i]).match(lines[i]).hasMatch(),
                 qPrintable(lines[i]));
    }
    if (expectedErr.isEmpty()) {
        QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
    } else {
        QVERIFY2(QRegularExpression(expectedErr).match(run.err).hasMatch(), qPrintable(run.err));
    }
}

void tst_Cli::validateReadsStdin()
{
    QFile file(QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/cli/redis-serviceentry-placeholder.yaml"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto run = runMeshcraft(MESHCRAFT_BINARY, {"validate", "-"}, file.readAll());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.startsWith("<stdin>:9:5: error: REDIS_ENDPOINT is not a valid IP"),
             qPrintable(run.out));
}

void tst_Cli::analyze_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expectedOut");
    QTest::addColumn<QString>("expectedErr");
    const QString data = QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/cli/");
    QTest::addRow("serviceentry-clean")
        << QStringList{data + "redis-serviceentry.yaml"} << 0 << QString()
        << R"(✔ No validation issues found when analyzing .*redis-serviceentry\.yaml\.)";
    QTest::addRow("gateway-without-cluster-selector-not-found")
        << QStringList{data + "redis-egress.yaml"} << 1
        << R"(Error \[IST0101\] \(Gateway default/istio-egressgateway .*redis-egress\.yaml:7\) )"
           R"(Referenced selector not found: "istio=egressgateway")"
        << "Error: Analyzers found issues when analyzing namespace: default\\.";
    QTest::addRow("warnings-below-threshold-pass")
        << QStringList{"--failure-threshold", "Error", "--output-threshold", "Warning",
                       data + "redis-serviceentry.yaml"}
        << 0 << QString() << "No validation issues";
    QTest::addRow("bad-threshold-usage-error")
        << QStringList{"--failure-threshold", "Loud", data + "redis-egress.yaml"} << 2 << QString()
        << "--failure-threshold must be Info, Warning or Error";
}

void tst_Cli::analyze()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, expectedOut);
    QFETCH(QString, expectedErr);
    const auto run = runMeshcraft(MESHCRAFT_BINARY, QStringList{"analyze"} + args);
    QVERIFY2(run.exitCode == exitCode, qPrintable(run.out + run.err));
    if (!expectedOut.isEmpty()) {
        QVERIFY2(QRegularExpression(expectedOut).match(run.out).hasMatch(), qPrintable(run.out));
    }
    QVERIFY2(QRegularExpression(expectedErr).match(run.err).hasMatch(), qPrintable(run.err));
}

QTEST_APPLESS_MAIN(tst_Cli)
#include "tst_cli.moc"
