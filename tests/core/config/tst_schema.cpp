// SPDX-License-Identifier: GPL-3.0-or-later
// The CRD-schema layer: Istio 1.30.3's structural schemas and CEL rules, checked and worded as the
// Kubernetes API server does, with every position pinned down.
#include "core/common/text.h"
#include "core/config/crd_schema.h"
#include "core/config/schema_cel.h"
#include "core/config/schema_validation.h"

#include <QtTest>
#include <filesystem>
#include <set>
#include <thread>

using namespace meshcraft::core;
using namespace meshcraft::core::config;

namespace {

const QString CelSkipped = QStringLiteral(
    "t.yaml:1:1: note: <nil>: Invalid value: \"null\": some validation rules were not checked "
    "because the object was invalid; correct the existing errors to complete validation "
    "[schema.cel-skipped]");

QString unknownField(const QString &at, const QString &path)
{
    return at + QStringLiteral(": warning: unknown field \"%1\": Istio 1.3 accepts the object and "
                               "silently drops the field; current Istio's CRD schema prunes it, "
                               "and kubectl's strict field validation refuses the object: strict "
                               "decoding error: unknown field \"%1\" [schema.unknown-field]")
                    .arg(path);
}

/// A document whose spec starts on line 6; a null spec leaves the key out.
QString document(const QString &kind, const QString &version, const QString &spec)
{
    QString text = QStringLiteral("apiVersion: networking.istio.io/%1\nkind: %2\nmetadata:\n"
                                  "  name: t\n")
                       .arg(version, kind);
    if (!spec.isNull()) {
        text += QStringLiteral("spec:\n") + spec;
    }
    return text;
}

QStringList lines(const common::Diagnostics &diagnostics)
{
    QStringList out;
    for (const auto &d : diagnostics) {
        out << QString::fromStdString(d.toString());
    }
    return out;
}

common::Diagnostics validateText(const QString &text, const CrdSchemaSet *schemas = nullptr,
                                 const std::string &file = "t.yaml")
{
    const ParseResult parsed = parseResources(text.toStdString(), file);
    common::Diagnostics out = parsed.diagnostics;
    for (const Resource &resource : parsed.resources) {
        const auto found =
            schemas ? validateAgainstSchema(resource, *schemas) : validateAgainstSchema(resource);
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

QString repeated(const QString &item, int count, const QString &separator = QStringLiteral(", "))
{
    QStringList parts;
    for (int i = 0; i < count; ++i) {
        parts << QString(item).replace(QLatin1String("%i"), QString::number(i));
    }
    return parts.join(separator);
}

QString readSource(const QString &relative)
{
    QFile file(QStringLiteral(MESHCRAFT_SOURCE_DIR "/") + relative);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// A made-up CRD that uses the keywords Istio's five kinds do not (int-or-string, minLength,
// exclusive bounds, nullable, preserve-unknown, anyOf, not, list sets, minProperties), and one
// CEL rule nobody implemented.
const char *CustomCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: serviceentries.networking.istio.io
spec:
  group: networking.istio.io
  names:
    kind: ServiceEntry
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              port:
                x-kubernetes-int-or-string: true
              name:
                type: string
                minLength: 2
              ratio:
                type: number
                maximum: 1
                exclusiveMaximum: true
              opt:
                type: string
                nullable: true
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              pick:
                type: object
                properties:
                  a: {type: string}
                  b: {type: string}
                anyOf:
                - required: [a]
                - required: [b]
              never:
                type: object
                properties:
                  a: {type: string}
                not:
                  required: [a]
              tags:
                type: array
                items: {type: string}
                x-kubernetes-list-type: set
              labels:
                type: object
                minProperties: 1
                additionalProperties: {type: string}
              check:
                type: string
                pattern: ^x
                x-kubernetes-validations:
                - rule: self.startsWith("x")
                  message: must start with x
)";

} // namespace

class tst_Schema : public QObject
{
    Q_OBJECT

private slots:
    void shippedSchemaIsParsedOnce();
    void everyCelRuleIsImplemented();
    void everyImplementationIsUsed();
    void everySchemaKeywordIsUnderstood();
    void explicitSchemaFile();
    void structuralRules_data();
    void structuralRules();
    void topLevel_data();
    void topLevel();
    void customKeywords_data();
    void customKeywords();
    void celRules_data();
    void celRules();
    void durationParsing_data();
    void durationParsing();
    void workshopFiles_data();
    void workshopFiles();
    void doneWhenCases_data();
    void doneWhenCases();
    void goldenFiles_data();
    void goldenFiles();
    void kubernetesKindsAreNotChecked();
    void hugeListsStayLinear();
};

void tst_Schema::shippedSchemaIsParsedOnce()
{
    // Many threads ask at once, as the UI's preload and a validation could.
    std::vector<std::thread> threads;
    std::atomic<int> loaded{0};
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&loaded] {
            if (crdSchemas()) {
                loaded.fetch_add(1);
            }
        });
    }
    for (std::thread &thread : threads) {
        thread.join();
    }
    QCOMPARE(loaded.load(), 8);
    QVERIFY(!preloadCrdSchemas());
    const QString se = document(QStringLiteral("ServiceEntry"), QStringLiteral("v1"),
                                QStringLiteral("  hosts: [a.example.com]\n"));
    for (int i = 0; i < 50; ++i) {
        QVERIFY(validateText(se).empty());
    }
    QCOMPARE(crdSchemaParseCountForTest(), std::size_t(1));
    const auto schemas = crdSchemas();
    for (const KindInfo &info : knownKinds()) {
        for (std::string_view version : info.versions) {
            QCOMPARE(schemas->find(info.kind, version) != nullptr, info.istio);
        }
    }
}

void tst_Schema::everyCelRuleIsImplemented()
{
    const auto schemas = crdSchemas();
    QVERIFY(schemas);
    std::set<std::string> distinct;
    for (const CelRuleSite &site : schemas->celRules()) {
        QVERIFY2(site.rule->impl, qPrintable(QStringLiteral("%1 %2 %3: no C++ for rule `%4`")
                                                 .arg(QString::fromStdString(site.kind),
                                                      QString::fromStdString(site.version),
                                                      QString::fromStdString(site.path),
                                                      QString::fromStdString(site.rule->rule))));
        QVERIFY2(!site.rule->message.empty(), qPrintable(QString::fromStdString(site.path)));
        distinct.insert(site.rule->impl->rule.data());
    }
    // 77 rule sites per version, 19 distinct rule texts, in Istio 1.30.3.
    QCOMPARE(int(schemas->celRules().size()), 3 * 77);
    QCOMPARE(int(distinct.size()), 19);
}

void tst_Schema::everyImplementationIsUsed()
{
    const auto schemas = crdSchemas();
    for (const CelRuleImpl &impl : celRuleTable()) {
        bool used = false;
        for (const CelRuleSite &site : schemas->celRules()) {
            used = used || site.rule->impl == &impl;
        }
        QVERIFY2(used,
                 qPrintable(QString::fromUtf8(impl.rule.data(), qsizetype(impl.rule.size()))));
    }
}

void tst_Schema::everySchemaKeywordIsUnderstood()
{
    const auto schemas = crdSchemas();
    QString unsupported;
    for (const auto &[keyword, path] : schemas->unsupportedKeywords()) {
        unsupported += QString::fromStdString(keyword + " at " + path + "; ");
    }
    QVERIFY2(unsupported.isEmpty(), qPrintable(unsupported));
}

void tst_Schema::explicitSchemaFile()
{
    const auto fromSource = CrdSchemaSet::fromFile(
        MESHCRAFT_SOURCE_DIR "/resources/data/schemas/istio-crd-all.gen.yaml");
    QVERIFY(fromSource);
    QVERIFY((*fromSource)->find(Kind::Gateway, "v1alpha3"));
    QCOMPARE((*fromSource)->celRules().size(), crdSchemas()->celRules().size());

    const auto missing = CrdSchemaSet::fromFile("/nonexistent/crds.yaml");
    QVERIFY(!missing);
    QCOMPARE(QString::fromStdString(missing.error().code), QStringLiteral("schema.unreadable"));

    const auto broken = CrdSchemaSet::fromText("a: [b\n", "broken.yaml");
    QVERIFY(!broken);

    // A schema with a rule we never wrote: it is listed with no implementation, which is what
    // everyCelRuleIsImplemented() would catch, and validation stays quiet about it.
    const auto custom = CrdSchemaSet::fromText(CustomCrd, "custom.yaml");
    QVERIFY(custom);
    QCOMPARE(int((*custom)->celRules().size()), 1);
    QVERIFY(!(*custom)->celRules()[0].rule->impl);
    QCOMPARE(QString::fromStdString((*custom)->celRules()[0].path), QStringLiteral(".spec.check"));
    QVERIFY((*custom)->unsupportedKeywords().count("pattern"));
}

void tst_Schema::structuralRules_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QStringList>("expected");
    const QString se = QStringLiteral("ServiceEntry");
    const QString v1 = QStringLiteral("v1");

    // type
    QTest::addRow("type-valid") << se << v1
                                << "  hosts: [redis.domain]\n  ports:\n  - number: 6379\n"
                                   "    name: tcp-redis\n"
                                << QStringList();
    QTest::addRow("type-integer-given-string")
        << se << v1
        << "  hosts: [redis.domain]\n  ports:\n  - number: \"6379\"\n    name: tcp-redis\n"
        << QStringList{"t.yaml:8:13: error: spec.ports[0].number: Invalid value: \"string\": "
                       "spec.ports[0].number in body must be of type integer: \"string\" "
                       "[schema.type]",
                       CelSkipped};
    QTest::addRow("type-array-given-string")
        << se << v1 << "  hosts: redis.domain\n"
        << QStringList{"t.yaml:6:10: error: spec.hosts: Invalid value: \"string\": spec.hosts in "
                       "body must be of type array: \"string\" [schema.type]",
                       CelSkipped};
    QTest::addRow("type-integral-float-is-an-integer")
        << se << v1 << "  hosts: [a]\n  ports:\n  - number: 80.0\n    name: http\n"
        << QStringList();
    QTest::addRow("type-fraction-is-a-number")
        << se << v1 << "  hosts: [a]\n  ports:\n  - number: 80.5\n    name: http\n"
        << QStringList{"t.yaml:8:13: error: spec.ports[0].number: Invalid value: \"number\": "
                       "spec.ports[0].number in body must be of type integer: \"number\" "
                       "[schema.type]",
                       CelSkipped};
    // null values are pruned before validation
    QTest::addRow("null-optional-is-pruned") << se << v1 << "  hosts: [a]\n  location:\n"
                                             << QStringList();
    QTest::addRow("null-required-is-missing")
        << se << v1 << "  hosts:\n"
        << QStringList{"t.yaml:5:1: error: spec.hosts: Required value [schema.required]",
                       CelSkipped};
    // enum
    QTest::addRow("enum-valid") << se << v1 << "  hosts: [a]\n  resolution: DNS\n" << QStringList();
    QTest::addRow("enum-unsupported")
        << se << v1 << "  hosts: [a]\n  resolution: FOO\n"
        << QStringList{"t.yaml:7:15: error: spec.resolution: Unsupported value: \"FOO\": "
                       "supported values: \"NONE\", \"STATIC\", \"DNS\", \"DNS_ROUND_ROBIN\", "
                       "\"DYNAMIC_DNS\" [schema.enum]",
                       CelSkipped};
    QTest::addRow("enum-given-integer")
        << se << v1 << "  hosts: [a]\n  location: 1\n"
        << QStringList{"t.yaml:7:13: error: spec.location: Invalid value: \"integer\": "
                       "spec.location in body must be of type string: \"integer\" [schema.type]",
                       "t.yaml:7:13: error: spec.location: Unsupported value: 1: supported "
                       "values: \"MESH_EXTERNAL\", \"MESH_INTERNAL\" [schema.enum]",
                       CelSkipped};
    // required
    QTest::addRow("required-present") << se << v1 << "  hosts: [a]\n" << QStringList();
    QTest::addRow("required-field-missing")
        << se << v1 << "  location: MESH_EXTERNAL\n"
        << QStringList{"t.yaml:5:1: error: spec.hosts: Required value [schema.required]",
                       CelSkipped};
    QTest::addRow("required-item-field-missing")
        << se << v1 << "  hosts: [a]\n  ports:\n  - name: tcp\n"
        << QStringList{"t.yaml:8:5: error: spec.ports[0].number: Required value "
                       "[schema.required]",
                       CelSkipped};
    QTest::addRow("required-spec-missing")
        << se << v1 << QString()
        << QStringList{"t.yaml:1:1: error: spec: Required value [schema.required]", CelSkipped};
    // minimum / maximum
    const QString endpoint = QStringLiteral("  hosts: [a]\n  endpoints:\n  - address: 10.0.0.1\n"
                                            "    weight: %1\n  resolution: STATIC\n");
    QTest::addRow("bounds-valid") << se << v1 << endpoint.arg(100) << QStringList();
    QTest::addRow("minimum")
        << se << v1 << endpoint.arg(-1)
        << QStringList{"t.yaml:9:13: error: spec.endpoints[0].weight: Invalid value: -1: "
                       "spec.endpoints[0].weight in body should be greater than or equal to 0 "
                       "[schema.minimum]"};
    QTest::addRow("maximum")
        << se << v1 << endpoint.arg(QStringLiteral("5000000000"))
        << QStringList{"t.yaml:9:13: error: spec.endpoints[0].weight: Invalid value: 5000000000: "
                       "spec.endpoints[0].weight in body should be less than or equal to "
                       "4294967295 [schema.maximum]"};
    // minItems / maxItems
    QTest::addRow("min-items")
        << se << v1 << "  hosts: []\n"
        << QStringList{"t.yaml:6:3: error: spec.hosts: Invalid value: 0: spec.hosts in body "
                       "should have at least 1 items [schema.min-items]"};
    QTest::addRow("max-items-valid")
        << se << v1
        << "  hosts: [a]\n  addresses: [" + repeated(QStringLiteral("10.0.0.1"), 256) + "]\n"
        << QStringList();
    QTest::addRow("max-items")
        << se << v1
        << "  hosts: [a]\n  addresses: [" + repeated(QStringLiteral("10.0.0.1"), 257) + "]\n"
        << QStringList{"t.yaml:7:3: error: spec.addresses: Too many: 257: must have at most 256 "
                       "items [schema.max-items]",
                       CelSkipped};
    // maxLength
    QTest::addRow("max-length-valid")
        << se << v1 << "  hosts: [a]\n  addresses: [" + QString(64, QLatin1Char('a')) + "]\n"
        << QStringList();
    QTest::addRow("max-length-counts-characters")
        << se << v1 << "  hosts: [a]\n  addresses: [" + QString(64, QChar(0x00e9)) + "]\n"
        << QStringList();
    QTest::addRow("max-length")
        << se << v1 << "  hosts: [a]\n  addresses: [" + QString(65, QLatin1Char('a')) + "]\n"
        << QStringList{"t.yaml:7:15: error: spec.addresses[0]: Too long: may not be more than 64 "
                       "bytes [schema.max-length]",
                       CelSkipped};
    // maxProperties, additionalProperties
    QTest::addRow("max-properties")
        << se << v1
        << "  hosts: [a]\n  workloadSelector:\n    labels: {" +
               repeated(QStringLiteral("k%i: v"), 257) + "}\n"
        << QStringList{"t.yaml:8:5: error: spec.workloadSelector.labels: Too many: 257: must "
                       "have at most 256 items [schema.max-properties]",
                       CelSkipped};
    QTest::addRow("additional-properties-valid")
        << se << v1 << "  hosts: [a]\n  workloadSelector:\n    labels: {app: redis}\n"
        << QStringList();
    QTest::addRow("additional-properties-type")
        << se << v1 << "  hosts: [a]\n  workloadSelector:\n    labels: {app: 1}\n"
        << QStringList{"t.yaml:8:19: error: spec.workloadSelector.labels.app: Invalid value: "
                       "\"integer\": spec.workloadSelector.labels.app in body must be of type "
                       "string: \"integer\" [schema.type]",
                       CelSkipped};
    // format
    const QString body = QStringLiteral("  hosts: [web]\n  http:\n  - directResponse:\n"
                                        "      status: 200\n      body:\n        bytes: \"%1\"\n");
    QTest::addRow("format-byte-valid") << QStringLiteral("VirtualService") << v1
                                       << body.arg(QStringLiteral("aGVsbG8=")) << QStringList();
    QTest::addRow("format-byte")
        << QStringLiteral("VirtualService") << v1 << body.arg(QStringLiteral("not base64!"))
        << QStringList{"t.yaml:11:16: error: spec.http[0].directResponse.body.bytes: Invalid "
                       "value: \"not base64!\": spec.http[0].directResponse.body.bytes in body "
                       "must be of type byte: \"not base64!\" [schema.format]",
                       CelSkipped};
    // oneOf / allOf as Istio's generator writes them (at most one of a set of fields)
    const QString dr = QStringLiteral("DestinationRule");
    QTest::addRow("one-of-valid")
        << dr << v1
        << "  host: reviews\n  trafficPolicy:\n    loadBalancer:\n      simple: ROUND_ROBIN\n"
        << QStringList();
    QTest::addRow("one-of")
        << dr << v1
        << "  host: reviews\n  trafficPolicy:\n    loadBalancer:\n      simple: ROUND_ROBIN\n"
           "      consistentHash:\n        useSourceIp: true\n"
        << QStringList{"t.yaml:8:5: error: <nil>: Invalid value: \"\": "
                       "\"spec.trafficPolicy.loadBalancer\" must validate one and only one schema "
                       "(oneOf). Found 2 valid alternatives [schema.one-of]"};
    QTest::addRow("all-of")
        << dr << v1
        << "  host: reviews\n  trafficPolicy:\n    loadBalancer:\n      consistentHash:\n"
           "        httpHeaderName: x-user\n        useSourceIp: true\n"
        << QStringList{"t.yaml:9:7: error: <nil>: Invalid value: \"\": "
                       "\"spec.trafficPolicy.loadBalancer.consistentHash\" must validate one and "
                       "only one schema (oneOf). Found 2 valid alternatives [schema.one-of]",
                       "t.yaml:9:7: error: <nil>: Invalid value: \"\": "
                       "\"spec.trafficPolicy.loadBalancer.consistentHash\" must validate all the "
                       "schemas (allOf) [schema.all-of]"};
    // unknown fields are pruned: a warning, never an error
    QTest::addRow("unknown-field")
        << se << v1 << "  hosts: [a]\n  hostz: [b]\n"
        << QStringList{unknownField(QStringLiteral("t.yaml:7:3"), QStringLiteral("spec.hostz"))};
    QTest::addRow("unknown-nested-field")
        << se << v1 << "  hosts: [a]\n  ports:\n  - number: 80\n    name: http\n    nmae: x\n"
        << QStringList{
               unknownField(QStringLiteral("t.yaml:10:5"), QStringLiteral("spec.ports[0].nmae"))};
    // x-kubernetes-list-type: map keyed by name
    QTest::addRow("list-map-key-duplicate")
        << se << v1
        << "  hosts: [a]\n  ports:\n  - number: 80\n    name: http\n  - number: 81\n"
           "    name: http\n"
        << QStringList{"t.yaml:10:5: error: spec.ports[1]: Duplicate value: map[string]interface "
                       "{}{\"name\":\"http\"} [schema.duplicate]"};
    // the API server runs no CEL on an object with a type, enum, required or size error
    QTest::addRow("cel-skipped-when-blocked")
        << se << v1 << "  hosts: [\"*\"]\n  resolution: FOO\n"
        << QStringList{"t.yaml:7:15: error: spec.resolution: Unsupported value: \"FOO\": "
                       "supported values: \"NONE\", \"STATIC\", \"DNS\", \"DNS_ROUND_ROBIN\", "
                       "\"DYNAMIC_DNS\" [schema.enum]",
                       CelSkipped};
    // every served version has its schema
    for (const char *version : {"v1alpha3", "v1beta1"}) {
        QTest::addRow("version-%s", version)
            << se << QString::fromLatin1(version) << "  hosts: [a]\n  resolution: FOO\n"
            << QStringList{"t.yaml:7:15: error: spec.resolution: Unsupported value: \"FOO\": "
                           "supported values: \"NONE\", \"STATIC\", \"DNS\", "
                           "\"DNS_ROUND_ROBIN\", \"DYNAMIC_DNS\" [schema.enum]",
                           CelSkipped};
    }
}

void tst_Schema::structuralRules()
{
    QFETCH(QString, kind);
    QFETCH(QString, version);
    QFETCH(QString, spec);
    QFETCH(QStringList, expected);
    QCOMPARE(lines(validateText(document(kind, version, spec))), expected);
}

void tst_Schema::topLevel_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QStringList>("expected");
    const QString head = QStringLiteral("apiVersion: networking.istio.io/v1\nkind: Gateway\n");
    QTest::addRow("status-is-ignored")
        << head + "metadata:\n  name: t\nspec: {}\nstatus:\n  anything: [1]\n"
        << QStringList();
    QTest::addRow("unknown-top-level-field")
        << head + "metadata:\n  name: t\nspecs:\n  servers: []\n"
        << QStringList{unknownField(QStringLiteral("t.yaml:5:1"), QStringLiteral("specs"))};
    QTest::addRow("unknown-metadata-field")
        << head + "metadata:\n  name: t\n  label:\n    app: a\nspec: {}\n"
        << QStringList{
               unknownField(QStringLiteral("t.yaml:5:3"), QStringLiteral("metadata.label"))};
    QTest::addRow("metadata-name-and-namespace-valid")
        << head + "metadata:\n  name: redis.egress-1\n  namespace: istio-system\nspec: {}\n"
        << QStringList();
    QTest::addRow("metadata-name-not-dns-subdomain")
        << head + "metadata:\n  name: Redis_Egress\nspec: {}\n"
        << QStringList{"t.yaml:4:9: error: metadata.name: Invalid value: \"Redis_Egress\": a "
                       "lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                       "characters, '-' or '.', and must start and end with an alphanumeric "
                       "character (e.g. 'example.com', regex used for validation is "
                       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*') "
                       "[schema.metadata-name]"};
    QTest::addRow("metadata-namespace-not-dns-label")
        << head + "metadata:\n  name: egress\n  namespace: istio.system\nspec: {}\n"
        << QStringList{"t.yaml:5:14: error: metadata.namespace: Invalid value: \"istio.system\": "
                       "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                       "characters or '-', and must start and end with an alphanumeric character "
                       "(e.g. 'my-name',  or '123-abc', regex used for validation is "
                       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?') [schema.metadata-namespace]"};
    QTest::addRow("metadata-name-too-long")
        << head + "metadata:\n  name: " + QString(254, QLatin1Char('a')) + "\nspec: {}\n"
        << QStringList{"t.yaml:4:9: error: metadata.name: Invalid value: \"" +
                       QString(254, QLatin1Char('a')) +
                       "\": must be no more than 253 characters [schema.metadata-name]"};
    QTest::addRow("known-metadata-fields")
        << head + "metadata:\n  name: t\n  namespace: default\n  labels: {a: b}\n"
                  "  annotations: {c: d}\nspec: {}\n"
        << QStringList();
}

void tst_Schema::topLevel()
{
    QFETCH(QString, yaml);
    QFETCH(QStringList, expected);
    QCOMPARE(lines(validateText(yaml)), expected);
}

void tst_Schema::customKeywords_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QStringList>("expected");
    QTest::addRow("int-or-string-integer") << "  port: 80\n" << QStringList();
    QTest::addRow("int-or-string-string") << "  port: http\n" << QStringList();
    QTest::addRow("int-or-string-boolean")
        << "  port: true\n"
        << QStringList{"t.yaml:6:9: error: spec.port: Invalid value: \"boolean\": spec.port in "
                       "body must be of type integer,string: \"boolean\" [schema.type]",
                       CelSkipped};
    QTest::addRow("min-length-valid") << "  name: ab\n" << QStringList();
    QTest::addRow("min-length")
        << "  name: a\n"
        << QStringList{"t.yaml:6:9: error: spec.name: Invalid value: \"a\": spec.name in body "
                       "should be at least 2 chars long [schema.min-length]"};
    QTest::addRow("exclusive-maximum-valid") << "  ratio: 0.5\n" << QStringList();
    QTest::addRow("exclusive-maximum")
        << "  ratio: 1\n"
        << QStringList{"t.yaml:6:10: error: spec.ratio: Invalid value: 1: spec.ratio in body "
                       "should be less than 1 [schema.maximum]"};
    QTest::addRow("exclusive-maximum-float")
        << "  ratio: 1.5\n"
        << QStringList{"t.yaml:6:10: error: spec.ratio: Invalid value: 1.5: spec.ratio in body "
                       "should be less than 1 [schema.maximum]"};
    QTest::addRow("nullable-keeps-null") << "  opt: null\n" << QStringList();
    QTest::addRow("preserve-unknown-fields") << "  extra: {anything: [1, 2]}\n" << QStringList();
    QTest::addRow("any-of-valid") << "  pick: {b: x}\n" << QStringList();
    QTest::addRow("any-of")
        << "  pick: {}\n"
        << QStringList{"t.yaml:6:3: error: <nil>: Invalid value: \"\": \"spec.pick\" must "
                       "validate at least one schema (anyOf) [schema.any-of]",
                       "t.yaml:6:3: error: spec.pick.a: Required value [schema.required]",
                       CelSkipped};
    QTest::addRow("not-valid") << "  never: {}\n" << QStringList();
    QTest::addRow("not")
        << "  never: {a: x}\n"
        << QStringList{"t.yaml:6:3: error: <nil>: Invalid value: \"\": \"spec.never\" must not "
                       "validate the schema (not) [schema.not]"};
    QTest::addRow("list-set-valid") << "  tags: [a, b]\n" << QStringList();
    QTest::addRow("list-set-duplicate")
        << "  tags: [a, b, a, a]\n"
        << QStringList{"t.yaml:6:16: error: spec.tags[2]: Duplicate value: \"a\" "
                       "[schema.duplicate]"};
    QTest::addRow("min-properties")
        << "  labels: {}\n"
        << QStringList{"t.yaml:6:3: error: spec.labels: Invalid value: 0: spec.labels in body "
                       "should have at least 1 properties [schema.min-properties]"};
    QTest::addRow("unimplemented-cel-rule-is-quiet") << "  check: zed\n" << QStringList();
}

void tst_Schema::customKeywords()
{
    QFETCH(QString, spec);
    QFETCH(QStringList, expected);
    const auto custom = CrdSchemaSet::fromText(CustomCrd, "custom.yaml");
    QVERIFY(custom);
    const QString yaml = document(QStringLiteral("ServiceEntry"), QStringLiteral("v1"), spec);
    QCOMPARE(lines(validateText(yaml, custom->get())), expected);
}

void tst_Schema::celRules_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QStringList>("expected");
    const QString se = QStringLiteral("ServiceEntry");
    const QString dr = QStringLiteral("DestinationRule");
    const QString gw = QStringLiteral("Gateway");
    const QString sc = QStringLiteral("Sidecar");
    const QString vs = QStringLiteral("VirtualService");
    const auto specError = [](const QString &message) {
        return QStringList{"t.yaml:5:1: error: spec: Invalid value: \"object\": " + message +
                           " [schema.cel]"};
    };

    // ServiceEntry, on spec
    QTest::addRow("only-one-of-workloadselector-or-endpoints-valid")
        << se << "  hosts: [a]\n  resolution: STATIC\n  endpoints:\n  - address: 10.0.0.1\n"
        << QStringList();
    QTest::addRow("only-one-of-workloadselector-or-endpoints")
        << se
        << "  hosts: [a]\n  resolution: STATIC\n  workloadSelector:\n    labels: {app: a}\n"
           "  endpoints:\n  - address: 10.0.0.1\n"
        << specError(QStringLiteral("only one of WorkloadSelector or Endpoints can be set"));
    QTest::addRow("cidr-addresses-only-for-none-static-valid")
        << se << "  hosts: [a]\n  addresses: [10.0.0.0/24]\n"
        << QStringList();
    QTest::addRow("cidr-addresses-only-for-none-static")
        << se << "  hosts: [a]\n  addresses: [10.0.0.0/24]\n  resolution: DNS\n"
        << specError(
               QStringLiteral("CIDR addresses are allowed only for NONE/STATIC resolution types"));
    QTest::addRow("none-mode-cannot-set-endpoints-valid")
        << se << "  hosts: [a]\n  resolution: DNS\n  endpoints:\n  - address: a.example.com\n"
        << QStringList();
    QTest::addRow("none-mode-cannot-set-endpoints")
        << se << "  hosts: [a]\n  endpoints:\n  - address: 10.0.0.1\n"
        << specError(QStringLiteral("NONE mode cannot set endpoints"));
    QTest::addRow("dns-round-robin-multiple-endpoints-valid")
        << se << "  hosts: [a]\n  resolution: DNS_ROUND_ROBIN\n  endpoints:\n  - address: b\n"
        << QStringList();
    QTest::addRow("dns-round-robin-multiple-endpoints")
        << se
        << "  hosts: [a]\n  resolution: DNS_ROUND_ROBIN\n  endpoints:\n  - address: b\n"
           "  - address: c\n"
        << specError(QStringLiteral("DNS_ROUND_ROBIN mode cannot have multiple endpoints"));
    // ServiceEntry, on endpoints
    const QString endpoints = QStringLiteral("  hosts: [a]\n  resolution: STATIC\n  endpoints:\n"
                                             "  - %1\n");
    QTest::addRow("endpoint-address-required-valid")
        << se << endpoints.arg(QStringLiteral("network: n1")) << QStringList();
    QTest::addRow("endpoint-address-required")
        << se << endpoints.arg(QStringLiteral("labels: {a: b}"))
        << QStringList{"t.yaml:9:5: error: spec.endpoints[0]: Invalid value: \"object\": "
                       "Address is required [schema.cel]"};
    QTest::addRow("uds-may-not-include-ports-valid")
        << se << endpoints.arg(QStringLiteral("address: unix:///var/run/app.sock"))
        << QStringList();
    QTest::addRow("uds-may-not-include-ports")
        << se
        << endpoints.arg(QStringLiteral("{address: \"unix:///var/run/a.sock\", ports: {http: 80}}"))
        << QStringList{"t.yaml:9:5: error: spec.endpoints[0]: Invalid value: \"object\": UDS "
                       "may not include ports [schema.cel]"};
    QTest::addRow("uds-absolute-or-abstract-valid")
        << se << endpoints.arg(QStringLiteral("address: unix://@abstract")) << QStringList();
    QTest::addRow("uds-absolute-or-abstract")
        << se << endpoints.arg(QStringLiteral("address: unix://run/a.sock"))
        << QStringList{"t.yaml:9:14: error: spec.endpoints[0].address: Invalid value: "
                       "\"string\": UDS must be an absolute path or abstract socket [schema.cel]"};
    QTest::addRow("uds-absolute-or-abstract-runtime-error")
        << se << endpoints.arg(QStringLiteral("address: unix://"))
        << QStringList{"t.yaml:9:14: error: spec.endpoints[0].address: Invalid value: "
                       "\"string\": index out of range: 8 evaluating rule: UDS must be an "
                       "absolute path or abstract socket [schema.cel]",
                       "t.yaml:9:14: error: spec.endpoints[0].address: Invalid value: "
                       "\"string\": UDS may not be a dir [schema.cel]"};
    QTest::addRow("uds-may-not-be-dir")
        << se << endpoints.arg(QStringLiteral("address: unix:///var/run/"))
        << QStringList{"t.yaml:9:14: error: spec.endpoints[0].address: Invalid value: "
                       "\"string\": UDS may not be a dir [schema.cel]"};
    QTest::addRow("endpoint-port-name-valid-ok")
        << se << endpoints.arg(QStringLiteral("{address: 10.0.0.1, ports: {http-2: 80}}"))
        << QStringList();
    QTest::addRow("endpoint-port-name-must-be-valid")
        << se << endpoints.arg(QStringLiteral("{address: 10.0.0.1, ports: {\"-http\": 80}}"))
        << QStringList{"t.yaml:9:25: error: spec.endpoints[0].ports: Invalid value: \"object\": "
                       "port name must be valid [schema.cel]"};
    QTest::addRow("endpoint-port-between-1-65535")
        << se << endpoints.arg(QStringLiteral("{address: 10.0.0.1, ports: {http: 0}}"))
        << QStringList{"t.yaml:9:39: error: spec.endpoints[0].ports[http]: Invalid value: "
                       "\"integer\": port must be between 1-65535 [schema.cel]"};
    // ServiceEntry, on hosts and ports
    QTest::addRow("hostname-cannot-be-wildcard-valid") << se << "  hosts: [\"*.example.com\"]\n"
                                                       << QStringList();
    QTest::addRow("hostname-cannot-be-wildcard")
        << se << "  hosts: [a, \"*\"]\n"
        << QStringList{"t.yaml:6:14: error: spec.hosts[1]: Invalid value: \"string\": hostname "
                       "cannot be wildcard [schema.cel]"};
    const QString ports = QStringLiteral("  hosts: [a]\n  ports:\n  - number: %1\n    name: a\n"
                                         "  - number: %2\n    name: b\n");
    QTest::addRow("port-number-cannot-be-duplicated-valid")
        << se << ports.arg(80).arg(81) << QStringList();
    QTest::addRow("port-number-cannot-be-duplicated")
        << se << ports.arg(80).arg(80)
        << QStringList{"t.yaml:7:3: error: spec.ports: Invalid value: \"array\": port number "
                       "cannot be duplicated [schema.cel]"};
    QTest::addRow("port-between-1-65535-valid") << se << ports.arg(1).arg(65535) << QStringList();
    QTest::addRow("port-between-1-65535")
        << se << ports.arg(0).arg(65536)
        << QStringList{"t.yaml:8:13: error: spec.ports[0].number: Invalid value: \"integer\": "
                       "port must be between 1-65535 [schema.cel]",
                       "t.yaml:10:13: error: spec.ports[1].number: Invalid value: \"integer\": "
                       "port must be between 1-65535 [schema.cel]"};
    QTest::addRow("target-port-between-1-65535")
        << se << "  hosts: [a]\n  ports:\n  - {number: 80, name: a, targetPort: 70000}\n"
        << QStringList{"t.yaml:8:39: error: spec.ports[0].targetPort: Invalid value: "
                       "\"integer\": port must be between 1-65535 [schema.cel]"};
    QTest::addRow("serviceentry-selector-wildcard-valid")
        << se << "  hosts: [a]\n  workloadSelector:\n    labels: {app: redis}\n"
        << QStringList();
    QTest::addRow("serviceentry-selector-wildcard")
        << se << "  hosts: [a]\n  workloadSelector:\n    labels: {app: \"red*\"}\n"
        << QStringList{"t.yaml:8:19: error: spec.workloadSelector.labels[app]: Invalid value: "
                       "\"string\": wildcard is not supported in selector [schema.cel]"};
    // DestinationRule workload selector
    const QString matchLabels =
        QStringLiteral("  host: a\n  workloadSelector:\n    matchLabels: {%1}\n");
    QTest::addRow("label-match-valid")
        << dr << matchLabels.arg(QStringLiteral("app: a")) << QStringList();
    QTest::addRow("wildcard-not-allowed-in-label-key-match")
        << dr << matchLabels.arg(QStringLiteral("\"app*\": a"))
        << QStringList{"t.yaml:8:5: error: spec.workloadSelector.matchLabels: Invalid value: "
                       "\"object\": wildcard not allowed in label key match [schema.cel]"};
    QTest::addRow("key-must-not-be-empty")
        << dr << matchLabels.arg(QStringLiteral("\"\": a"))
        << QStringList{"t.yaml:8:5: error: spec.workloadSelector.matchLabels: Invalid value: "
                       "\"object\": key must not be empty [schema.cel]"};
    QTest::addRow("wildcard-not-allowed-in-label-value-match")
        << dr << matchLabels.arg(QStringLiteral("app: \"*\""))
        << QStringList{"t.yaml:8:24: error: spec.workloadSelector.matchLabels[app]: Invalid "
                       "value: \"string\": wildcard not allowed in label value match "
                       "[schema.cel]"};
    // Gateway and Sidecar TLS settings
    const QString server =
        QStringLiteral("  servers:\n  - port: {number: 443, name: https, protocol: HTTPS}\n"
                       "    hosts: [a.example.com]\n    tls:\n      mode: SIMPLE\n%1");
    QTest::addRow("gateway-tls-credentials-valid")
        << gw << server.arg(QStringLiteral("      credentialName: a\n")) << QStringList();
    QTest::addRow("gateway-only-one-of-credentialname-or-credentialnames")
        << gw << server.arg(QStringLiteral("      credentialName: a\n      credentialNames: [b]\n"))
        << QStringList{"t.yaml:9:5: error: spec.servers[0].tls: Invalid value: \"object\": only "
                       "one of credentialName or credentialNames can be set [schema.cel]"};
    QTest::addRow("gateway-only-one-of-credentialnames-or-tlscertificates")
        << gw
        << server.arg(QStringLiteral("      credentialNames: [b]\n      tlsCertificates:\n"
                                     "      - {serverCertificate: /c, privateKey: /k}\n"))
        << QStringList{"t.yaml:9:5: error: spec.servers[0].tls: Invalid value: \"object\": only "
                       "one of credentialNames or tlsCertificates can be set [schema.cel]",
                       "t.yaml:9:5: error: spec.servers[0].tls: Invalid value: \"object\": only "
                       "one of credentialName or tlsCertificates can be set [schema.cel]"};
    const QString ingress = QStringLiteral(
        "  ingress:\n  - port: {number: 9080, protocol: HTTP, name: http}\n    tls:\n"
        "      mode: SIMPLE\n%1");
    QTest::addRow("sidecar-tls-credentials-valid")
        << sc << ingress.arg(QStringLiteral("      credentialName: a\n")) << QStringList();
    QTest::addRow("sidecar-only-one-of-credentialname-or-credentialnames")
        << sc
        << ingress.arg(QStringLiteral("      credentialName: a\n      credentialNames: [b]\n"))
        << QStringList{"t.yaml:8:5: error: spec.ingress[0].tls: Invalid value: \"object\": only "
                       "one of credentialName or credentialNames can be set [schema.cel]"};
    QTest::addRow("sidecar-selector-wildcard")
        << sc << "  workloadSelector:\n    labels: {app: \"*\"}\n"
        << QStringList{"t.yaml:7:19: error: spec.workloadSelector.labels[app]: Invalid value: "
                       "\"string\": wildcard is not supported in selector [schema.cel]"};
    // The duration rule, one rule on every duration field
    const QString timeout = QStringLiteral("  hosts: [a]\n  http:\n  - timeout: %1\n");
    QTest::addRow("duration-valid") << vs << timeout.arg(QStringLiteral("1.5s")) << QStringList();
    QTest::addRow("duration-minimum-1ms-valid")
        << vs << timeout.arg(QStringLiteral("1ms")) << QStringList();
    QTest::addRow("duration-below-1ms")
        << vs << timeout.arg(QStringLiteral("500us"))
        << QStringList{"t.yaml:8:14: error: spec.http[0].timeout: Invalid value: \"string\": "
                       "must be a valid duration greater than 1ms [schema.duration]"};
    QTest::addRow("duration-not-a-duration")
        << vs << timeout.arg(QStringLiteral("\"10\""))
        << QStringList{"t.yaml:8:14: error: spec.http[0].timeout: Invalid value: \"string\": "
                       "type conversion error from 'string' to 'google.protobuf.Duration' "
                       "evaluating rule: must be a valid duration greater than 1ms "
                       "[schema.duration]"};
    QTest::addRow("duration-retries-per-try-timeout")
        << vs << "  hosts: [a]\n  http:\n  - retries:\n      perTryTimeout: 0s\n"
        << QStringList{"t.yaml:9:22: error: spec.http[0].retries.perTryTimeout: Invalid value: "
                       "\"string\": must be a valid duration greater than 1ms [schema.duration]"};
    QTest::addRow("duration-destinationrule-connect-timeout")
        << dr
        << "  host: a\n  trafficPolicy:\n    connectionPool:\n      tcp:\n"
           "        connectTimeout: -1s\n"
        << QStringList{"t.yaml:10:25: error: spec.trafficPolicy.connectionPool.tcp."
                       "connectTimeout: Invalid value: \"string\": must be a valid duration "
                       "greater than 1ms [schema.duration]"};
    QTest::addRow("duration-sidecar-inbound-pool")
        << sc << "  inboundConnectionPool:\n    http:\n      idleTimeout: 1h2m3.5s\n"
        << QStringList();
    // tcp.idleTimeout is a duration string with no rule in 1.30.3: nothing checks it
    QTest::addRow("duration-field-without-rule")
        << dr
        << "  host: a\n  trafficPolicy:\n    connectionPool:\n      tcp:\n"
           "        idleTimeout: soon\n"
        << QStringList();
}

void tst_Schema::celRules()
{
    QFETCH(QString, kind);
    QFETCH(QString, spec);
    QFETCH(QStringList, expected);
    QCOMPARE(lines(validateText(document(kind, QStringLiteral("v1"), spec))), expected);
}

void tst_Schema::durationParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("nanos");
    QTest::addRow("seconds") << "10s" << true << qint64(10'000'000'000);
    QTest::addRow("hours-minutes") << "1h2m" << true << qint64(3'720'000'000'000);
    QTest::addRow("milliseconds") << "500ms" << true << qint64(500'000'000);
    QTest::addRow("fraction") << "1.5s" << true << qint64(1'500'000'000);
    QTest::addRow("leading-dot") << ".5s" << true << qint64(500'000'000);
    QTest::addRow("trailing-dot") << "1.s" << true << qint64(1'000'000'000);
    QTest::addRow("micro-sign") << QString::fromUtf8("3\u00b5s") << true << qint64(3000);
    QTest::addRow("greek-mu") << QString::fromUtf8("3\u03bcs") << true << qint64(3000);
    QTest::addRow("us") << "3us" << true << qint64(3000);
    QTest::addRow("nanoseconds") << "7ns" << true << qint64(7);
    QTest::addRow("mixed") << "1h1m1s1ms1us1ns" << true << qint64(3'661'001'001'001);
    QTest::addRow("zero") << "0" << true << qint64(0);
    QTest::addRow("negative") << "-1.5h" << true << qint64(-5'400'000'000'000);
    QTest::addRow("plus") << "+2m" << true << qint64(120'000'000'000);
    QTest::addRow("max") << "9223372036854775807ns" << true << qint64(INT64_MAX);
    QTest::addRow("empty") << "" << false << qint64(0);
    QTest::addRow("no-unit") << "10" << false << qint64(0);
    QTest::addRow("unknown-unit") << "10d" << false << qint64(0);
    QTest::addRow("unit-only") << "s" << false << qint64(0);
    QTest::addRow("dot-only") << ".s" << false << qint64(0);
    QTest::addRow("sign-only") << "-" << false << qint64(0);
    QTest::addRow("spaces") << "1 s" << false << qint64(0);
    QTest::addRow("overflow") << "9223372036854775808ns" << false << qint64(0);
    QTest::addRow("overflow-hours") << "2562048h" << false << qint64(0);
}

void tst_Schema::durationParsing()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, nanos);
    const auto parsed = parseGoDuration(text.toStdString());
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QCOMPARE(qint64(*parsed), nanos);
    }
}

void tst_Schema::workshopFiles_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QStringList>("expected");
    const QString seed =
        readSource(QStringLiteral("tests/data/config/schema/workshop-redis-egress.yaml"));
    QVERIFY(!seed.isEmpty());
    // The Gateway + DestinationRule file: accepted, with one warning at `addresses:`.
    QTest::addRow("gateway-and-destinationrule")
        << seed
        << QStringList{unknownField(QStringLiteral("t.yaml:15:5"),
                                    QStringLiteral("spec.servers[0].addresses"))};
    // The ServiceEntry: the schema does not check addresses; the webhook does (its own tests).
    const QString serviceEntry =
        readSource(QStringLiteral("tests/data/config/schema/workshop-redis-serviceentry.yaml"));
    QTest::addRow("serviceentry-placeholder") << serviceEntry << QStringList();
    QTest::addRow("serviceentry-ip")
        << QString(serviceEntry)
               .replace(QLatin1String("REDIS_ENDPOINT"), QLatin1String("10.59.118.59"))
        << QStringList();
}

void tst_Schema::workshopFiles()
{
    QFETCH(QString, yaml);
    QFETCH(QStringList, expected);
    const auto found = validateText(yaml);
    QCOMPARE(lines(found), expected);
    QVERIFY(!common::hasErrors(found));
}

void tst_Schema::doneWhenCases_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QStringList>("expected");
    const QString base = QStringLiteral("  hosts: [%1]\n  ports:\n  - number: %2\n    name: %3\n"
                                        "    protocol: %4\n");
    QTest::addRow("port-70000")
        << base.arg(QStringLiteral("redis.domain"))
               .arg(70000)
               .arg(QStringLiteral("tcp-redis"), QStringLiteral("TCP"))
        << QStringList{"t.yaml:8:13: error: spec.ports[0].number: Invalid value: \"integer\": "
                       "port must be between 1-65535 [schema.cel]"};
    QTest::addRow("duplicate-port")
        << base.arg(QStringLiteral("redis.domain"))
                   .arg(6379)
                   .arg(QStringLiteral("tcp-redis"), QStringLiteral("TCP")) +
               "  - number: 6379\n    name: tcp-redis\n    protocol: TCP\n"
        << QStringList{"t.yaml:11:5: error: spec.ports[1]: Duplicate value: map[string]interface "
                       "{}{\"name\":\"tcp-redis\"} [schema.duplicate]",
                       "t.yaml:7:3: error: spec.ports: Invalid value: \"array\": port number "
                       "cannot be duplicated [schema.cel]"};
    // The schema has no opinion on these; the webhook refuses them (its own tests).
    QTest::addRow("ip-in-hosts-left-to-webhook")
        << base.arg(QStringLiteral("10.59.118.59"))
               .arg(6379)
               .arg(QStringLiteral("tcp-redis"), QStringLiteral("TCP"))
        << QStringList();
    QTest::addRow("protocol-tcp-redis-left-to-webhook")
        << base.arg(QStringLiteral("redis.domain"))
               .arg(6379)
               .arg(QStringLiteral("tcp-redis"), QStringLiteral("tcp-redis"))
        << QStringList();
}

void tst_Schema::doneWhenCases()
{
    QFETCH(QString, spec);
    QFETCH(QStringList, expected);
    QCOMPARE(lines(validateText(
                 document(QStringLiteral("ServiceEntry"), QStringLiteral("v1alpha3"), spec))),
             expected);
}

void tst_Schema::goldenFiles_data()
{
    QTest::addColumn<QString>("name");
    const std::filesystem::path dir = MESHCRAFT_TEST_DATA_DIR "/config/schema";
    int count = 0;
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".yaml" &&
            std::filesystem::exists(
                std::filesystem::path(entry.path()).replace_extension(".expected"))) {
            const std::string stem = entry.path().stem().string();
            QTest::addRow("%s", stem.c_str()) << QString::fromStdString(stem);
            ++count;
        }
    }
    QVERIFY(count >= 4);
}

void tst_Schema::goldenFiles()
{
    QFETCH(QString, name);
    const QString base = QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/config/schema/") + name;
    QFile yaml(base + ".yaml");
    QFile expected(base + ".expected");
    QVERIFY(yaml.open(QIODevice::ReadOnly));
    QVERIFY(expected.open(QIODevice::ReadOnly));
    const auto found =
        validateText(QString::fromUtf8(yaml.readAll()), nullptr, (name + ".yaml").toStdString());
    QCOMPARE(QString::fromStdString(common::formatDiagnostics(found)),
             QString::fromUtf8(expected.readAll()));
}

void tst_Schema::kubernetesKindsAreNotChecked()
{
    const QString pod = QStringLiteral("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
                                       "spec:\n  bogus: 1\n");
    QVERIFY(validateText(pod).empty());
}

void tst_Schema::hugeListsStayLinear()
{
    // 50,000 ports with one name: one size error, one duplicate (the second), no CEL.
    const QString spec =
        "  hosts: [a]\n  ports:\n" +
        repeated(QStringLiteral("  - {number: 80, name: a}"), 50000, QStringLiteral("\n")) + "\n";
    const QStringList found =
        lines(validateText(document(QStringLiteral("ServiceEntry"), QStringLiteral("v1"), spec)));
    QCOMPARE(found,
             (QStringList{"t.yaml:7:3: error: spec.ports: Too many: 50000: must have at most 256 "
                          "items [schema.max-items]",
                          "t.yaml:9:5: error: spec.ports[1]: Duplicate value: "
                          "map[string]interface {}{\"name\":\"a\"} [schema.duplicate]",
                          CelSkipped}));
}

QTEST_APPLESS_MAIN(tst_Schema)
#include "tst_schema.moc"
