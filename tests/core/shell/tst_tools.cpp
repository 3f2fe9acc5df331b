// SPDX-License-Identifier: GPL-3.0-or-later
// The terminal's tools: istioctl kube-inject's output, Go's YAML, and (over a running World)
// kubectl, istioctl, helm and gcloud as the workshop uses them.
#include "core/config/resource.h"
#include "core/config/yaml_loader.h"
#include "core/shell/tools/go_yaml.h"
#include "core/shell/tools/kube_inject.h"

#include <QtTest>

using namespace meshcraft::core;
using namespace meshcraft::core::shell;

namespace {

const char *const BusyboxYaml = "# A plain busybox pod.\n"
                                "apiVersion: v1\n"
                                "kind: Pod\n"
                                "metadata:\n"
                                "  name: busybox\n"
                                "  namespace: default\n"
                                "  labels:\n"
                                "    app: busybox\n"
                                "spec:\n"
                                "  containers:\n"
                                "  - name: busybox\n"
                                "    image: busybox\n"
                                "    command:\n"
                                "    - sleep\n"
                                "    - \"3600\"\n";

const char *const WorkshopValues = "global:\n"
                                   "  proxy:\n"
                                   "    resources:\n"
                                   "      requests:\n"
                                   "        cpu: 100m\n"
                                   "        memory: 128Mi\n"
                                   "      limits:\n"
                                   "        cpu: 600m\n"
                                   "        memory: 900Mi\n"
                                   "istio_cni:\n"
                                   "  enabled: true\n";

config::Node valuesNode(const char *text)
{
    auto loaded = config::loadYaml(text, "values.yaml");
    return loaded.documents.empty() ? config::Node::makeMap() : loaded.documents[0].root;
}

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

} // namespace

class tst_Tools : public QObject
{
    Q_OBJECT

private slots:
    void goYamlScalars_data();
    void goYamlScalars();
    void kubeInjectBusybox();
    void kubeInject_data();
    void kubeInject();
};

// ---- Go's YAML ---------------------------------------------------------------------------------

void tst_Tools::goYamlScalars_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("expected");
    QTest::addRow("numeric-string-double-quoted") << "v: \"15020\"" << "v: \"15020\"\n";
    QTest::addRow("star-single-quoted") << "v: '*'" << "v: '*'\n";
    QTest::addRow("empty-string") << "v: \"\"" << "v: \"\"\n";
    QTest::addRow("json-single-quoted") << "v: '{\"a\":null}'" << "v: '{\"a\":null}'\n";
    QTest::addRow("yaml11-bool-word-quoted") << "v: \"yes\"" << "v: \"yes\"\n";
    QTest::addRow("plain-string") << "v: busybox" << "v: busybox\n";
    QTest::addRow("dash-flag-plain") << "v: -p" << "v: -p\n";
    QTest::addRow("integer-plain") << "v: 6379" << "v: 6379\n";
    QTest::addRow("null") << "v: null" << "v: null\n";
    QTest::addRow("keys-sorted") << "b: 1\na: 2" << "a: 2\nb: 1\n";
    QTest::addRow("multiline-literal")
        << "v: |-\n  mode: ALLOW_ANY\n  x: 1" << "v: |-\n  mode: ALLOW_ANY\n  x: 1\n";
    QTest::addRow("multiline-keep-newline") << "v: |\n  a\n" << "v: |\n  a\n";
    QTest::addRow("sequence-at-parent-indent")
        << "a:\n  b:\n  - x: 1\n    z: 2\n" << "a:\n  b:\n  - x: 1\n    z: 2\n";
    // go-yaml v2 reads y as a YAML 1.1 boolean, so it quotes the key.
    QTest::addRow("yaml11-bool-key-quoted") << "y: 1" << "\"y\": 1\n";
    QTest::addRow("empty-map-and-list") << "a: {}\nb: []" << "a: {}\nb: []\n";
}

void tst_Tools::goYamlScalars()
{
    QFETCH(QString, yaml);
    QFETCH(QString, expected);
    const auto loaded = config::loadYaml(yaml.toStdString(), "t.yaml");
    QVERIFY(!loaded.documents.empty());
    QCOMPARE(qs(tools::marshalGoYaml(loaded.documents[0].root)), expected);
}

// ---- istioctl kube-inject ----------------------------------------------------------------------

void tst_Tools::kubeInjectBusybox()
{
    const auto injected = tools::kubeInject(BusyboxYaml, "busybox.yaml", valuesNode(WorkshopValues));
    QVERIFY(injected.has_value());
    const QString text = qs(*injected);
    // The head of the document, exactly as istioctl 1.3 prints it (sorted keys, Go quoting).
    QVERIFY2(text.startsWith("apiVersion: v1\n"
                             "kind: Pod\n"
                             "metadata:\n"
                             "  annotations:\n"
                             "    sidecar.istio.io/interceptionMode: REDIRECT\n"
                             "    sidecar.istio.io/status: '{\"version\":\""),
             qPrintable(text));
    QVERIFY(text.contains("\"initContainers\":null,\"containers\":[\"istio-proxy\"],"
                          "\"volumes\":[\"istio-envoy\",\"istio-certs\"],"
                          "\"imagePullSecrets\":null}'\n"
                          "    traffic.sidecar.istio.io/excludeInboundPorts: \"15020\"\n"
                          "    traffic.sidecar.istio.io/includeOutboundIPRanges: '*'\n"
                          "  creationTimestamp: null\n"
                          "  labels:\n"
                          "    app: busybox\n"
                          "  name: busybox\n"
                          "  namespace: default\n"
                          "spec:\n"
                          "  containers:\n"
                          "  - command:\n"
                          "    - sleep\n"
                          "    - \"3600\"\n"
                          "    image: busybox\n"
                          "    name: busybox\n"
                          "    resources: {}\n"
                          "  - args:\n"
                          "    - proxy\n"
                          "    - sidecar\n"));
    QVERIFY(text.contains("    - --serviceCluster\n    - busybox.default\n"));
    QVERIFY(text.contains("    - --proxyAdminPort\n    - \"15000\"\n"));
    QVERIFY(text.contains("    - --applicationPorts\n    - \"\"\n"));
    QVERIFY(text.contains("    image: docker.io/istio/proxyv2:1.3.0\n"
                          "    imagePullPolicy: IfNotPresent\n"
                          "    name: istio-proxy\n"
                          "    ports:\n"
                          "    - containerPort: 15090\n"
                          "      name: http-envoy-prom\n"
                          "      protocol: TCP\n"));
    // The workshop's values give the sidecar its resources.
    QVERIFY(text.contains("    resources:\n"
                          "      limits:\n"
                          "        cpu: 600m\n"
                          "        memory: 900Mi\n"
                          "      requests:\n"
                          "        cpu: 100m\n"
                          "        memory: 128Mi\n"
                          "    securityContext:\n"
                          "      readOnlyRootFilesystem: true\n"
                          "      runAsUser: 1337\n"));
    QVERIFY(text.contains("    - name: ISTIO_META_OWNER\n"
                          "      value: kubernetes://api/v1/namespaces/default/pods/busybox\n"));
    QVERIFY(text.endsWith("  volumes:\n"
                          "  - emptyDir:\n"
                          "      medium: Memory\n"
                          "    name: istio-envoy\n"
                          "  - name: istio-certs\n"
                          "    secret:\n"
                          "      optional: true\n"
                          "      secretName: istio.default\n"
                          "status: {}\n"
                          "---\n"));
    // CNI is on (D1): no istio-init.
    QVERIFY(!text.contains("istio-init"));
    QVERIFY(!text.contains("initContainers:"));
    // The output reads back as one Pod with the sidecar.
    const auto reread = config::parseResources(*injected, "/dev/fd/63");
    QCOMPARE(int(reread.resources.size()), 1);
}

void tst_Tools::kubeInject_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("values");
    QTest::addColumn<QStringList>("contains");
    QTest::addColumn<QStringList>("absent");
    QTest::addColumn<QString>("error");

    const QString deployment = "apiVersion: apps/v1\n"
                               "kind: Deployment\n"
                               "metadata:\n"
                               "  name: cartservice\n"
                               "spec:\n"
                               "  selector:\n"
                               "    matchLabels:\n"
                               "      app: cartservice\n"
                               "  template:\n"
                               "    metadata:\n"
                               "      labels:\n"
                               "        app: cartservice\n"
                               "    spec:\n"
                               "      containers:\n"
                               "      - name: server\n"
                               "        image: cartservice:v0.1.4\n"
                               "        ports:\n"
                               "        - containerPort: 7070\n"
                               "        env:\n"
                               "        - name: REDIS_ADDR\n"
                               "          value: \"redis-cart:6379\"\n";
    QTest::addRow("deployment-template-injected")
        << deployment << WorkshopValues
        << QStringList{"  strategy: {}\n",
                       "    metadata:\n      annotations:\n",
                       "        traffic.sidecar.istio.io/includeInboundPorts: \"7070\"\n",
                       "      creationTimestamp: null\n",
                       "        - --applicationPorts\n        - \"7070\"\n",
                       "          value: kubernetes://apis/apps/v1/namespaces/default/deployments/"
                       "cartservice\n",
                       "        - name: ISTIO_META_WORKLOAD_NAME\n          value: cartservice\n",
                       "        - --serviceCluster\n        - cartservice.default\n",
                       "status: {}\n---\n"}
        << QStringList{"istio-init"} << "";
    QTest::addRow("without-cni-istio-init-added")
        << QString(BusyboxYaml) << "istio_cni:\n  enabled: false\n"
        << QStringList{"  initContainers:\n  - args:\n    - -p\n    - \"15001\"\n",
                       "    image: docker.io/istio/proxy_init:1.3.0\n",
                       "\"initContainers\":[\"istio-init\"]",
                       // Chart defaults when the values say nothing.
                       "        cpu: \"2\"\n        memory: 1Gi\n"}
        << QStringList{} << "";
    QTest::addRow("service-passes-through")
        << "apiVersion: v1\nkind: Service\nmetadata:\n  name: x # keep\nspec: {}\n---\n" +
               QString(BusyboxYaml)
        << WorkshopValues
        << QStringList{"apiVersion: v1\nkind: Service\nmetadata:\n  name: x # keep\nspec: {}\n"
                       "---\napiVersion: v1\nkind: Pod\n"}
        << QStringList{} << "";
    QTest::addRow("already-injected-unchanged")
        << "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
           "    sidecar.istio.io/status: '{}'\nspec:\n  containers:\n  - name: a\n    image: b\n"
        << WorkshopValues << QStringList{"  creationTimestamp: null\n", "status: {}\n"}
        << QStringList{"istio-proxy"} << "";
    QTest::addRow("inject-false-annotation")
        << "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
           "    sidecar.istio.io/inject: \"false\"\nspec:\n  containers:\n  - name: a\n"
           "    image: b\n"
        << WorkshopValues << QStringList{"sidecar.istio.io/inject: \"false\"\n"}
        << QStringList{"istio-proxy"} << "";
    QTest::addRow("yaml-error") << "apiVersion: v1\nkind: Pod\nmetadata: [\n" << WorkshopValues
                                << QStringList{} << QStringList{}
                                << "error converting YAML to JSON: yaml: line";
    QTest::addRow("empty-input") << "# nothing\n" << WorkshopValues << QStringList{}
                                 << QStringList{"---"} << "";
}

void tst_Tools::kubeInject()
{
    QFETCH(QString, input);
    QFETCH(QString, values);
    QFETCH(QStringList, contains);
    QFETCH(QStringList, absent);
    QFETCH(QString, error);
    const auto valuesText = values.toStdString();
    const auto injected =
        tools::kubeInject(input.toStdString(), "in.yaml", valuesNode(valuesText.c_str()));
    if (!error.isEmpty()) {
        QVERIFY(!injected.has_value());
        QVERIFY2(qs(injected.error().message).startsWith(error),
                 qPrintable(qs(injected.error().message)));
        return;
    }
    QVERIFY2(injected.has_value(), injected ? "" : qPrintable(qs(injected.error().message)));
    const QString text = qs(*injected);
    for (const QString &part : contains) {
        QVERIFY2(text.contains(part), qPrintable(part + "\n--- in ---\n" + text));
    }
    for (const QString &part : absent) {
        QVERIFY2(!text.contains(part), qPrintable(part + "\n--- in ---\n" + text));
    }
}

QTEST_APPLESS_MAIN(tst_Tools)
#include "tst_tools.moc"
