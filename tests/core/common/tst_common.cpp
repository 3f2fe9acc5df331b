// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/diagnostic.h"
#include "core/common/text.h"

#include <QtTest>

using namespace meshcraft::core::common;

class tst_Common : public QObject
{
    Q_OBJECT

private slots:
    void diagnosticToString_data();
    void diagnosticToString();
    void editDistance_data();
    void editDistance();
    void splitKeepsEmptyFields();
};

void tst_Common::diagnosticToString_data()
{
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("severity");
    QTest::addColumn<QString>("expected");
    QTest::addRow("error-with-position")
        << 12 << int(Severity::Error)
        << "se.yaml:12:5: error: REDIS_ENDPOINT is not a valid IP [istio.invalid-address]";
    QTest::addRow("warning-with-position")
        << 12 << int(Severity::Warning)
        << "se.yaml:12:5: warning: REDIS_ENDPOINT is not a valid IP [istio.invalid-address]";
    QTest::addRow("no-position") << 0 << int(Severity::Error)
                                 << "se.yaml: error: REDIS_ENDPOINT is not a valid IP "
                                    "[istio.invalid-address]";
}

void tst_Common::diagnosticToString()
{
    QFETCH(int, line);
    QFETCH(int, severity);
    QFETCH(QString, expected);
    Diagnostic d{static_cast<Severity>(severity), "istio.invalid-address",
                 "REDIS_ENDPOINT is not a valid IP", SourceLocation{"se.yaml", line, 5},
                 "spec.addresses[0]"};
    QCOMPARE(QString::fromStdString(d.toString()), expected);
}

void tst_Common::editDistance_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("distance");
    QTest::addRow("workshop-typo") << "global.outboundTrafficPolicymode"
                                   << "global.outboundTrafficPolicy.mode" << 1;
    QTest::addRow("identical") << "mode" << "mode" << 0;
    QTest::addRow("empty") << "" << "abc" << 3;
}

void tst_Common::editDistance()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, distance);
    QCOMPARE(int(meshcraft::core::common::editDistance(a.toStdString(), b.toStdString())),
             distance);
}

void tst_Common::splitKeepsEmptyFields()
{
    const auto parts = split("a,,b", ',');
    QCOMPARE(int(parts.size()), 3);
    QCOMPARE(QString::fromStdString(parts[1]), QString());
}

QTEST_APPLESS_MAIN(tst_Common)
#include "tst_common.moc"
