// SPDX-License-Identifier: GPL-3.0-or-later
// The YAML reader: positions, typing, duplicate keys, and hostile input.
#include "core/config/resource.h"
#include "core/config/yaml_loader.h"

#include <QtTest>

using namespace meshcraft::core;
using namespace meshcraft::core::config;

namespace {
QString firstDiagnostic(const YamlLoadResult &result)
{
    return result.diagnostics.empty() ? QString()
                                      : QString::fromStdString(result.diagnostics[0].toString());
}
} // namespace

class tst_Yaml : public QObject
{
    Q_OBJECT

private slots:
    void positionsAreOneBased();
    void scalarTyping_data();
    void scalarTyping();
    void malformed_data();
    void malformed();
    void aliasesExpandWithinBudget();
    void mergeKeysApply();
    void hugeDocumentLoads();
    void deepNestingGetsRealDiagnostic_data();
    void deepNestingGetsRealDiagnostic();
    void emptyDocumentsAreSkipped();
    void resourceIdentity_data();
    void resourceIdentity();
    void toYamlRoundTrips();
};

void tst_Yaml::positionsAreOneBased()
{
    const auto result = loadYaml("apiVersion: v1\nkind: Pod\nspec:\n  ports:\n  - name: redis\n",
                                 "pod.yaml");
    QVERIFY2(result.diagnostics.empty(), qPrintable(firstDiagnostic(result)));
    QCOMPARE(int(result.documents.size()), 1);
    const Node *name = result.documents[0].root.find("spec")->find("ports")->items[0].find("name");
    QVERIFY(name);
    QCOMPARE(name->mark.line, 5);
    QCOMPARE(name->mark.column, 11);
    QCOMPARE(result.documents[0].root.findEntry("kind")->keyMark.line, 2);
}

void tst_Yaml::scalarTyping_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("type");
    QTest::addRow("plain-integer") << "v: 6379" << "integer";
    QTest::addRow("quoted-integer-is-string") << "v: \"6379\"" << "string";
    QTest::addRow("plain-bool") << "v: true" << "boolean";
    QTest::addRow("yaml11-bool") << "v: yes" << "boolean";
    QTest::addRow("plain-null") << "v: ~" << "null";
    QTest::addRow("empty-is-null") << "v:" << "null";
    QTest::addRow("float") << "v: 1.5" << "number";
    QTest::addRow("ip-is-string") << "v: 10.59.118.59" << "string";
    QTest::addRow("explicit-str-tag") << "v: !!str 42" << "string";
    QTest::addRow("block-scalar-is-string") << "v: |\n  42\n" << "string";
    QTest::addRow("list") << "v: [a]" << "array";
    QTest::addRow("map") << "v: {a: 1}" << "object";
}

void tst_Yaml::scalarTyping()
{
    QFETCH(QString, yaml);
    QFETCH(QString, type);
    const auto result = loadYaml(yaml.toStdString(), "t.yaml");
    QVERIFY2(result.diagnostics.empty(), qPrintable(firstDiagnostic(result)));
    QCOMPARE(QString::fromStdString(result.documents[0].root.find("v")->typeName()), type);
}

void tst_Yaml::malformed_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addRow("duplicate-key") << QByteArray("metadata:\n  name: a\n  name: b\n")
                                   << "yaml.duplicate-key" << 3 << 3;
    QTest::addRow("tab-indentation") << QByteArray("spec:\n\thosts: [a]\n") << "yaml.tab-indent"
                                     << 2 << 1;
    QTest::addRow("bad-indentation") << QByteArray("spec:\n  hosts:\n    - a\n   - b\n")
                                     << "yaml.syntax" << 4 << 4;
    QTest::addRow("unclosed-flow") << QByteArray("hosts: [a, b\n") << "yaml.syntax" << 2 << 1;
    QTest::addRow("binary-garbage") << QByteArray("\x7f\x45\x4c\x46\x02\x01\x01\x00\xff", 9)
                                    << "yaml.binary" << 1 << 5;
    QTest::addRow("invalid-utf8") << QByteArray("name: caf\xe9\n") << "yaml.binary" << 1 << 10;
    QTest::addRow("unknown-alias") << QByteArray("a: *nope\n") << "yaml.syntax" << 1 << 4;
    QTest::addRow("leading-comma-does-not-spin") << QByteArray(",a") << "yaml.syntax" << 1 << 1;
    QTest::addRow("fuzzer-found-comma-loop")
        << QByteArray::fromBase64(
               "LCMgV2l0aG91dCBhZGRyZXNzZXMgYSBUc3NlcyBhIFRDUCBwb2FwaVZlcnNpb246IG5ldHdvcmtpbmcuaXN1"
               "aWBvLmlvL3YxCmtpbmQ6IFZpcnR1YWxDUCBwb2FwaVZlcnNpb246IG5ldHdvcmtpbmcuaXN1aW8uaW8vCjF2"
               "a2luZDpzZXMgYSBUQ1AgcG9hcGlWZXJzaW9uOiBuZXR3b3JraW5nLmlzdWlgby5pby92MgpraW5pcy4=")
        << "yaml.syntax" << 1 << 1;
    QTest::addRow("complex-key") << QByteArray("? [a, b]\n: c\n") << "yaml.complex-key" << 1 << 3;
}

void tst_Yaml::malformed()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, code);
    QFETCH(int, line);
    QFETCH(int, column);
    const auto result = loadYaml(std::string_view(yaml.constData(), size_t(yaml.size())), "m.yaml");
    QVERIFY(!result.diagnostics.empty());
    const auto &d = result.diagnostics[0];
    QCOMPARE(QString::fromStdString(d.code), code);
    QVERIFY2(d.location.line == line && d.location.column == column,
             qPrintable(QString::fromStdString(d.toString())));
    QCOMPARE(QString::fromStdString(d.location.file), QStringLiteral("m.yaml"));
}

void tst_Yaml::aliasesExpandWithinBudget()
{
    const auto ok = loadYaml("base: &b {a: 1, b: 2}\ncopy: *b\n", "a.yaml");
    QVERIFY2(ok.diagnostics.empty(), qPrintable(firstDiagnostic(ok)));
    QVERIFY(sameValue(*ok.documents[0].root.find("base"), *ok.documents[0].root.find("copy")));

    // The billion-laughs shape: each level doubles ten times over.
    std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    char previous = 'a';
    for (char name = 'b'; name <= 'j'; ++name) {
        bomb += std::string(1, name) + ": &" + name + " [";
        for (int i = 0; i < 10; ++i) {
            bomb += std::string(i ? ", *" : "*") + previous;
        }
        bomb += "]\n";
        previous = name;
    }
    const auto refused = loadYaml(bomb, "bomb.yaml");
    QVERIFY(!refused.diagnostics.empty());
    QCOMPARE(QString::fromStdString(refused.diagnostics[0].code), QStringLiteral("yaml.alias-budget"));
    QVERIFY(refused.diagnostics[0].location.line > 1);
}

void tst_Yaml::mergeKeysApply()
{
    const auto result = loadYaml("base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n", "m.yaml");
    QVERIFY2(result.diagnostics.empty(), qPrintable(firstDiagnostic(result)));
    const Node *m = result.documents[0].root.find("m");
    QCOMPARE(QString::fromStdString(m->find("a")->scalar), QStringLiteral("1"));
    QCOMPARE(QString::fromStdString(m->find("b")->scalar), QStringLiteral("3"));
    QVERIFY(!m->find("<<"));
}

void tst_Yaml::hugeDocumentLoads()
{
    std::string text = "items:\n";
    while (text.size() < 10u * 1024u * 1024u) {
        text += "- {name: item, value: \"0123456789012345678901234567890123456789\"}\n";
    }
    const auto result = loadYaml(text, "huge.yaml");
    QVERIFY2(result.diagnostics.empty(), qPrintable(firstDiagnostic(result)));
    QVERIFY(result.documents[0].root.find("items")->items.size() > 100000);
}

void tst_Yaml::deepNestingGetsRealDiagnostic_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addRow("flow-sequences") << QByteArray(10000, '[') + QByteArray(10000, ']');
    QTest::addRow("flow-maps") << [] {
        QByteArray text;
        for (int i = 0; i < 10000; ++i) {
            text += "{a: ";
        }
        text += "1";
        text += QByteArray(10000, '}');
        return text;
    }();
    QTest::addRow("block-maps") << [] {
        QByteArray text;
        for (int i = 0; i < 10000; ++i) {
            text += QByteArray(i % 2000, ' ') + "k:\n";
        }
        return text;
    }();
}

void tst_Yaml::deepNestingGetsRealDiagnostic()
{
    QFETCH(QByteArray, yaml);
    const auto result = loadYaml(std::string_view(yaml.constData(), size_t(yaml.size())), "deep.yaml");
    QVERIFY(!result.diagnostics.empty());
    const auto &d = result.diagnostics[0];
    QVERIFY2(d.message != "bad file", qPrintable(QString::fromStdString(d.toString())));
    QVERIFY2(d.location.line >= 1, qPrintable(QString::fromStdString(d.toString())));
}

void tst_Yaml::emptyDocumentsAreSkipped()
{
    const auto result = loadYaml("---\n---\na: 1\n---\n# only a comment\n---\nb: 2\n", "e.yaml");
    QVERIFY2(result.diagnostics.empty(), qPrintable(firstDiagnostic(result)));
    QCOMPARE(int(result.documents.size()), 2);
    QCOMPARE(result.documents[0].start.line, 3);
}

void tst_Yaml::resourceIdentity_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("code");
    QTest::addRow("valid-serviceentry")
        << "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata:\n  name: r\n"
        << "";
    QTest::addRow("missing-apiversion") << "kind: Pod\nmetadata:\n  name: p\n"
                                        << "k8s.missing-apiversion";
    QTest::addRow("missing-kind") << "apiVersion: v1\nmetadata:\n  name: p\n" << "k8s.missing-kind";
    QTest::addRow("unknown-kind") << "apiVersion: v1\nkind: Frob\nmetadata:\n  name: p\n"
                                  << "k8s.unknown-kind";
    QTest::addRow("unserved-version")
        << "apiVersion: networking.istio.io/v2\nkind: Gateway\nmetadata:\n  name: g\n"
        << "k8s.unknown-kind";
    QTest::addRow("missing-name") << "apiVersion: v1\nkind: Pod\nmetadata: {}\n"
                                  << "k8s.missing-name";
    QTest::addRow("list-document") << "- a\n- b\n" << "k8s.not-an-object";
}

void tst_Yaml::resourceIdentity()
{
    QFETCH(QString, yaml);
    QFETCH(QString, code);
    const auto result = parseResources(yaml.toStdString(), "r.yaml");
    if (code.isEmpty()) {
        QVERIFY(result.diagnostics.empty());
        QCOMPARE(int(result.resources.size()), 1);
        QCOMPARE(QString::fromStdString(result.resources[0].displayName()),
                 QStringLiteral("ServiceEntry r"));
        return;
    }
    QCOMPARE(int(result.resources.size()), 0);
    QVERIFY(!result.diagnostics.empty());
    QCOMPARE(QString::fromStdString(result.diagnostics[0].code), code);
    QVERIFY(result.diagnostics[0].location.line >= 1);
}

void tst_Yaml::toYamlRoundTrips()
{
    const std::string text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n"
                             "data:\n  mesh: |\n    a: 1\n  port: \"6379\"\nlist:\n- a: 1\n  b: 2\n- x\n";
    const auto first = loadYaml(text, "a.yaml");
    QVERIFY(first.diagnostics.empty());
    const std::string dumped = toYaml(first.documents[0].root);
    const auto second = loadYaml(dumped, "b.yaml");
    QVERIFY2(second.diagnostics.empty(), dumped.c_str());
    QVERIFY2(sameValue(first.documents[0].root, second.documents[0].root), dumped.c_str());
}

QTEST_APPLESS_MAIN(tst_Yaml)
#include "tst_yaml.moc"
