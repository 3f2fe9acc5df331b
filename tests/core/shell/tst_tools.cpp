// SPDX-License-Identifier: GPL-3.0-or-later
// The terminal's tools: istioctl kube-inject's output, Go's YAML, and (over a running World)
// kubectl, istioctl, helm and gcloud as the workshop uses them.
#include "core/config/resource.h"
#include "core/config/yaml_loader.h"
#include "core/shell/builtins.h"
#include "core/shell/interpreter.h"
#include "core/shell/tools/go_yaml.h"
#include "core/shell/tools/kube_inject.h"
#include "core/shell/tools/tool_support.h"
#include "core/shell/tools/world_tools.h"
#include "core/shell/world.h"
#include "core/workload/cart_service.h"

#include <QFile>
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

constexpr const char *Home = "/home/learner";
constexpr const char *WorkshopHome = "/home/learner/workshop";
constexpr const char *LabFiles = "/home/learner/workshop/istio-workshop-labs";

QString readLabFile(const QString &relative)
{
    QFile file(QStringLiteral(LABS_SOURCE_DIR "/egress-gateway/") + relative);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(file.readAll());
}

WorldSpec labSpec()
{
    WorldSpec spec;
    spec.cloud.project = "srecon19-workshop-250603";
    spec.cloud.projectNumber = "489342710395";
    spec.cloud.reservedIpRanges = {{"redis-cart", "10.59.118.56/29"}};
    spec.istio.valuesFiles.push_back(
        {"istio-srecon-values.yaml", readLabFile("world/istio-srecon-values.yaml").toStdString()});
    spec.objects.push_back(
        {"online-boutique.yaml", readLabFile("world/online-boutique.yaml").toStdString(), true});
    spec.injector = &tools::kubeInject;
    // 2019-09-23T10:20:31Z: every age is 0s and every time stamp is the same.
    spec.clock = [] {
        return std::chrono::system_clock::time_point(std::chrono::seconds(1569234031));
    };
    // The cart's worker resolves redis-cart through the cluster DNS when it connects, and that
    // reads the Topology off the session thread (reported to the World's owner): Terminal
    // waits for its first connection, which then stays open.
    spec.cartInterval = std::chrono::milliseconds(20);
    return spec;
}

struct Ran
{
    QString out;
    QString err;
    int status = 0;
};

/// The learner's terminal over a running World: the lab's files in the VFS, the chart folder,
/// the lab's variables, and the tools registered.
class Terminal : public InterpreterObserver
{
public:
    bool start()
    {
        auto created = World::create(labSpec());
        if (!created) {
            error = created.error().message;
            return false;
        }
        world = std::move(*created);
        // The cart's first connect resolves redis-cart through the cluster DNS, which reads the
        // Topology off the session thread; let it finish before commands change the store.
        QElapsedTimer cartTimer;
        cartTimer.start();
        while (cartTimer.elapsed() < 5000) {
            const auto stats = world->cartStats();
            if (!stats.empty() && stats.begin()->second.connects > 0) {
                break;
            }
            QTest::qSleep(5);
        }
        HostShellOptions options;
        options.workshopHome = WorkshopHome;
        auto host = makeHostShell(fs, options);
        host->variables().exportVariable("ISTIO_VERSION", "1.3.0");
        host->variables().exportVariable("REGION_ID", "europe-west1");
        host->variables().exportVariable("ZONE_ID", "europe-west1-b");
        host->setCwd(LabFiles);
        (void)fs.makeDirectory(
            std::string(WorkshopHome) + "/istio-1.3.0/install/kubernetes/helm/istio", true);
        (void)fs.makeDirectory(LabFiles, true);
        for (const char *file : {"busybox.yaml", "redis-serviceentry.yaml", "redis-egress.yaml",
                                 "cartservice-deployment.yaml", "egressgateway-redis-values.yaml",
                                 "redis-egress-route.yaml"}) {
            (void)fs.writeFile(std::string(LabFiles) + "/" + file,
                               readLabFile(QString("files/") + file).toStdString());
        }
        shell = std::make_unique<Interpreter>(std::move(host));
        shell->setObserver(this);
        tools::WorldToolsOptions toolOptions;
        toolOptions.onProbeFinished = [this](const std::string &, const std::string &pod,
                                             const probe::ProbeResult &) {
            probesFinished.push_back(pod);
        };
        state = tools::registerWorldTools(*shell, *world, toolOptions);
        return true;
    }
    ~Terminal() override
    {
        shell.reset(); // the tools go before the world they act on
    }

    /// Runs a line and waits until the shell is ready again (or attached and `waitFor` has
    /// been printed).
    Ran run(const QString &line, const QString &waitFor = {})
    {
        out.clear();
        err.clear();
        shell->submitLine(line.toStdString());
        settle(waitFor);
        return Ran{QString::fromStdString(out), QString::fromStdString(err), shell->lastStatus()};
    }
    void settle(const QString &waitFor = {})
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20'000) {
            shell->processPosted();
            const auto now = shell->state();
            const bool printed =
                !waitFor.isEmpty() && QString::fromStdString(out + err).contains(waitFor);
            if ((now == Interpreter::State::Ready && waitFor.isEmpty()) || printed) {
                return;
            }
            if (now == Interpreter::State::Ready && !waitFor.isEmpty() && timer.elapsed() > 2000) {
                return;
            }
            shell->waitForPosted(std::chrono::milliseconds(20));
        }
    }

    // Interface
    void onOutput(OutputStream stream, std::string_view text) override
    {
        (stream == OutputStream::Stdout ? out : err) += text;
    }

    std::string error;
    VirtualFs fs;
    std::unique_ptr<World> world;
    std::unique_ptr<Interpreter> shell;
    std::shared_ptr<tools::ToolState> state;
    std::string out;
    std::string err;
    std::vector<std::string> probesFinished;
};

/// `setup` lines run first (their output is not checked), then `line`.
struct Scenario
{
    QStringList setup;
    QString line;
};

const QString InjectBusybox = "kubectl apply -f <(istioctl kube-inject -f "
                              "$WORKSHOP_HOME/istio-workshop-labs/busybox.yaml)";
const QString EnableApi = "gcloud services enable redis.googleapis.com";
const QString CreateInstance = "gcloud redis instances create redis-cart --size=1 "
                               "--region=$REGION_ID --zone=$ZONE_ID --redis-version=redis_4_0";
const QString HelmUpgrade = "helm upgrade --reuse-values --set %1 istio "
                            "$WORKSHOP_HOME/istio-$ISTIO_VERSION/install/kubernetes/helm/istio";
const QString EditServiceEntry = "sed -i 's/REDIS_ENDPOINT/10.59.118.59/' redis-serviceentry.yaml";

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
    void flagParsing_data();
    void flagParsing();
    void humanDurations_data();
    void humanDurations();
    void commands_data();
    void commands();
    void busyboxTelnetSession();
    void registryOnlyClosesTelnet();
    void redisCliInRedisCart();
    void gcloudCreateExportsRedisAddr();
    void completionOffersResourceNames();
};

// ---- Go's YAML ---------------------------------------------------------------------------------

void tst_Tools::goYamlScalars_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("expected");
    QTest::addRow("numeric-string-double-quoted") << "v: \"15020\""
                                                  << "v: \"15020\"\n";
    QTest::addRow("star-single-quoted") << "v: '*'"
                                        << "v: '*'\n";
    QTest::addRow("empty-string") << "v: \"\""
                                  << "v: \"\"\n";
    QTest::addRow("json-single-quoted") << "v: '{\"a\":null}'"
                                        << "v: '{\"a\":null}'\n";
    QTest::addRow("yaml11-bool-word-quoted") << "v: \"yes\""
                                             << "v: \"yes\"\n";
    QTest::addRow("plain-string") << "v: busybox"
                                  << "v: busybox\n";
    QTest::addRow("dash-flag-plain") << "v: -p"
                                     << "v: -p\n";
    QTest::addRow("integer-plain") << "v: 6379"
                                   << "v: 6379\n";
    QTest::addRow("null") << "v: null"
                          << "v: null\n";
    QTest::addRow("keys-sorted") << "b: 1\na: 2"
                                 << "a: 2\nb: 1\n";
    QTest::addRow("multiline-literal") << "v: |-\n  mode: ALLOW_ANY\n  x: 1"
                                       << "v: |-\n  mode: ALLOW_ANY\n  x: 1\n";
    QTest::addRow("multiline-keep-newline") << "v: |\n  a\n"
                                            << "v: |\n  a\n";
    QTest::addRow("sequence-at-parent-indent") << "a:\n  b:\n  - x: 1\n    z: 2\n"
                                               << "a:\n  b:\n  - x: 1\n    z: 2\n";
    // go-yaml v2 reads y as a YAML 1.1 boolean, so it quotes the key.
    QTest::addRow("yaml11-bool-key-quoted") << "y: 1"
                                            << "\"y\": 1\n";
    QTest::addRow("empty-map-and-list") << "a: {}\nb: []"
                                        << "a: {}\nb: []\n";
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
    const auto injected =
        tools::kubeInject(BusyboxYaml, "busybox.yaml", valuesNode(WorkshopValues));
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
    QTest::addRow("yaml-error") << "apiVersion: v1\nkind: Pod\nmetadata: [\n"
                                << WorkshopValues << QStringList{} << QStringList{}
                                << "error converting YAML to JSON: yaml: line";
    QTest::addRow("empty-input") << "# nothing\n"
                                 << WorkshopValues << QStringList{} << QStringList{"---"} << "";
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

// ---- Flag parsing and formats -----------------------------------------------------------------

void tst_Tools::flagParsing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::addRow("long-and-short-values")
        << QStringList{"get", "-n", "x", "--output=yaml"} << "namespace=x output=yaml | get |";
    QTest::addRow("attached-short-value")
        << QStringList{"-nistio-system"} << "namespace=istio-system |  |";
    QTest::addRow("grouped-booleans")
        << QStringList{"-it", "busybox", "/bin/sh"} << "stdin=true tty=true | busybox /bin/sh |";
    QTest::addRow("dash-dash-ends-flags")
        << QStringList{"busybox", "--", "ls", "-n"} << "| busybox | ls -n";
    QTest::addRow("unknown-long") << QStringList{"--bogus"} << "error: unknown flag: --bogus";
    QTest::addRow("unknown-short")
        << QStringList{"-x"} << "error: unknown shorthand flag: 'x' in -x";
    QTest::addRow("missing-value-long")
        << QStringList{"--namespace"} << "error: flag needs an argument: --namespace";
    QTest::addRow("missing-value-short")
        << QStringList{"-n"} << "error: flag needs an argument: 'n' in -n";
}

void tst_Tools::flagParsing()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    std::vector<std::string> words;
    for (const QString &arg : args) {
        words.push_back(arg.toStdString());
    }
    const auto parsed = tools::parseFlags(words, {{"namespace", 'n', true},
                                                  {"output", 'o', true},
                                                  {"stdin", 'i', false},
                                                  {"tty", 't', false}});
    QString text;
    if (!parsed) {
        text = "error: " + qs(parsed.error().message);
    } else {
        QStringList flags;
        for (const auto &[name, values] : parsed->flags) {
            flags << qs(name + "=" + values.back());
        }
        QStringList positionals;
        for (const auto &word : parsed->positionals) {
            positionals << qs(word);
        }
        QStringList after;
        for (const auto &word : parsed->afterDash) {
            after << qs(word);
        }
        text =
            (flags.join(' ') + " | " + positionals.join(' ') + " | " + after.join(' ')).trimmed();
    }
    QCOMPARE(text, expected);
}

void tst_Tools::humanDurations_data()
{
    QTest::addColumn<int>("seconds");
    QTest::addColumn<QString>("expected");
    QTest::addRow("seconds") << 42 << "42s";
    QTest::addRow("under-two-minutes") << 119 << "119s";
    QTest::addRow("minutes-seconds") << 185 << "3m5s";
    QTest::addRow("whole-minutes") << 180 << "3m";
    QTest::addRow("minutes") << 47 * 60 << "47m";
    QTest::addRow("hours-minutes") << 3 * 3600 + 5 * 60 << "3h5m";
    QTest::addRow("hours") << 30 * 3600 << "30h";
    QTest::addRow("days-hours") << 3 * 86400 + 4 * 3600 << "3d4h";
    QTest::addRow("days") << 12 * 86400 << "12d";
}

void tst_Tools::humanDurations()
{
    QFETCH(int, seconds);
    QFETCH(QString, expected);
    QCOMPARE(qs(tools::humanDuration(std::chrono::seconds(seconds))), expected);
}

// ---- The tools over a running World ------------------------------------------------------------

void tst_Tools::commands_data()
{
    QTest::addColumn<QStringList>("setup");
    QTest::addColumn<QString>("line");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    // out/err: the exact text, or `~text` for "contains".

    QTest::addRow("apply-created") << QStringList{} << InjectBusybox << 0 << "pod/busybox created\n"
                                   << "";
    QTest::addRow("apply-unchanged")
        << QStringList{InjectBusybox} << InjectBusybox << 0 << "pod/busybox unchanged\n"
        << "";
    QTest::addRow("apply-configured")
        << QStringList{EditServiceEntry, "kubectl apply -f redis-serviceentry.yaml",
                       "sed -i 's/MESH_EXTERNAL/MESH_INTERNAL/' redis-serviceentry.yaml"}
        << "kubectl apply -f redis-serviceentry.yaml" << 0
        << "serviceentry.networking.istio.io/redis-serviceentry configured\n"
        << "";
    QTest::addRow("placeholder-serviceentry-refused")
        << QStringList{} << "kubectl apply -f redis-serviceentry.yaml" << 1 << ""
        << "Error from server: error when creating \"redis-serviceentry.yaml\": admission "
           "webhook \"validation.istio.io\" denied the request: configuration is invalid: "
           "REDIS_ENDPOINT is not a valid IP\n";
    QTest::addRow("refused-serviceentry-changed-nothing")
        << QStringList{"kubectl apply -f redis-serviceentry.yaml"} << "kubectl get se" << 0 << ""
        << "No resources found in default namespace.\n";
    QTest::addRow("create-already-exists")
        << QStringList{InjectBusybox} << "kubectl create -f <(istioctl kube-inject -f busybox.yaml)"
        << 1 << ""
        << "Error from server (AlreadyExists): error when creating \"/dev/fd/63\": pods "
           "\"busybox\" already exists\n";
    QTest::addRow("apply-missing-file") << QStringList{} << "kubectl apply -f nope.yaml" << 1 << ""
                                        << "error: the path \"nope.yaml\" does not exist\n";
    QTest::addRow("apply-empty-substitution")
        << QStringList{} << "kubectl apply -f <(istioctl kube-inject -f nope.yaml)" << 1 << ""
        << "Error: open nope.yaml: no such file or directory\n"
           "error: no objects passed to apply\n";
    QTest::addRow("delete-file")
        << QStringList{EditServiceEntry, "kubectl apply -f redis-serviceentry.yaml"}
        << "kubectl delete -f redis-serviceentry.yaml" << 0
        << "serviceentry.networking.istio.io \"redis-serviceentry\" deleted\n"
        << "";
    QTest::addRow("delete-missing") << QStringList{} << "kubectl delete pod busybox" << 1 << ""
                                    << "Error from server (NotFound): pods \"busybox\" not "
                                       "found\n";
    QTest::addRow("get-pods")
        << QStringList{InjectBusybox} << "kubectl get pods" << 0
        << "~NAME                           READY   STATUS    RESTARTS   AGE\n"
           "busybox                        2/2     Running   0          0s\n"
        << "";
    QTest::addRow("get-pod-wide") << QStringList{InjectBusybox} << "kubectl get po busybox -o wide"
                                  << 0 << "~NAME      READY   STATUS    RESTARTS   AGE   IP  "
                                  << "";
    QTest::addRow("get-serviceentries")
        << QStringList{EditServiceEntry, "kubectl apply -f redis-serviceentry.yaml"}
        << "kubectl get serviceentries" << 0
        << "NAME                 HOSTS              LOCATION        RESOLUTION   AGE\n"
           "redis-serviceentry   [\"redis.domain\"]   MESH_EXTERNAL                0s\n"
        << "";
    QTest::addRow("get-several-types")
        << QStringList{"sed -i 's/REDIS_ENDPOINT/10.59.118.59/' redis-egress.yaml",
                       "kubectl apply -f redis-egress.yaml"}
        << "kubectl get gw,dr" << 0
        << "NAME                                              AGE\n"
           "gateway.networking.istio.io/istio-egressgateway   0s\n"
           "\n"
           "NAME                                                      HOST"
           "                                                 AGE\n"
           "destinationrule.networking.istio.io/redis-egressgateway   "
           "istio-egressgateway.istio-system.svc.cluster.local   0s\n"
        << "";
    QTest::addRow("get-label-selector")
        << QStringList{InjectBusybox} << "kubectl get pods -l app=busybox -o name" << 0
        << "pod/busybox\n"
        << "";
    QTest::addRow("get-label-selector-after-label")
        << QStringList{"kubectl label ns default istio-injection=enabled"}
        << "kubectl get ns -l istio-injection=enabled -o name" << 0 << "namespace/default\n"
        << "";
    QTest::addRow("apply-stdin-named-STDIN")
        << QStringList{} << "cat redis-serviceentry.yaml | kubectl apply -f -" << 1 << ""
        << "Error from server: error when creating \"STDIN\": admission webhook "
           "\"validation.istio.io\" denied the request: configuration is invalid: "
           "REDIS_ENDPOINT is not a valid IP\n";
    QTest::addRow("get-gateways-empty") << QStringList{} << "kubectl get gw" << 0 << ""
                                        << "No resources found in default namespace.\n";
    QTest::addRow("get-svc-in-namespace")
        << QStringList{} << "kubectl get svc -n default" << 0 << "~redis-cart    ClusterIP   10.11."
        << "";
    QTest::addRow("get-name-output") << QStringList{} << "kubectl get deploy -o name" << 0
                                     << "deployment.apps/cartservice\ndeployment.apps/redis-cart\n"
                                     << "";
    QTest::addRow("get-all-namespaces")
        << QStringList{} << "kubectl get configmap -A" << 0 << "~NAMESPACE      NAME "
        << "";
    QTest::addRow("get-unknown-type") << QStringList{} << "kubectl get bogus" << 1 << ""
                                      << "error: the server doesn't have a resource type "
                                         "\"bogus\"\n";
    QTest::addRow("get-unknown-flag") << QStringList{} << "kubectl get pods --bogus" << 1 << ""
                                      << "error: unknown flag: --bogus\n"
                                         "See 'kubectl get --help' for usage.\n";
    QTest::addRow("get-missing-object") << QStringList{} << "kubectl get pod nope" << 1 << ""
                                        << "Error from server (NotFound): pods \"nope\" not "
                                           "found\n";
    QTest::addRow("unknown-command") << QStringList{} << "kubectl frobnicate" << 1 << ""
                                     << "error: unknown command \"frobnicate\" for \"kubectl\"\n"
                                        "Run 'kubectl --help' for usage.\n";
    QTest::addRow("get-yaml-sorted-keys")
        << QStringList{InjectBusybox} << "kubectl get pod busybox -o yaml | head -4" << 0
        << "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n"
        << "";
    QTest::addRow("describe-serviceentry")
        << QStringList{EditServiceEntry, "kubectl apply -f redis-serviceentry.yaml"}
        << "kubectl describe se redis-serviceentry" << 0
        << "~Name:         redis-serviceentry\nNamespace:    default\n"
        << "";
    QTest::addRow("describe-service") << QStringList{} << "kubectl describe svc redis-cart" << 0
                                      << "~Selector:          app=redis-cart\n"
                                      << "";
    QTest::addRow("describe-pod") << QStringList{InjectBusybox} << "kubectl describe pod busybox"
                                  << 0 << "~Status:           Running\n"
                                  << "";
    QTest::addRow("label-namespace")
        << QStringList{} << "kubectl label namespace default istio-injection=enabled" << 0
        << "namespace/default labeled\n"
        << "";
    QTest::addRow("label-needs-overwrite")
        << QStringList{"kubectl label ns default istio-injection=enabled"}
        << "kubectl label ns default istio-injection=disabled" << 1 << ""
        << "error: 'istio-injection' already has a value (enabled), and --overwrite is false\n";
    QTest::addRow("exec-redis-cli-not-in-busybox")
        << QStringList{InjectBusybox} << "kubectl exec busybox -- redis-cli -h 10.0.0.1 ping" << 127
        << ""
        << "~redis-cli: not found\n";
    QTest::addRow("exec-without-stdin-telnet-ends")
        << QStringList{EnableApi, CreateInstance, InjectBusybox}
        << "kubectl exec busybox -c busybox -- telnet 10.59.118.59 6379" << 0
        << "Connected to 10.59.118.59\n"
        << "";
    QTest::addRow("exec-container-not-found")
        << QStringList{InjectBusybox} << "kubectl exec busybox -c nope -- ls" << 1 << ""
        << "error: container nope not found in pod busybox\n";
    QTest::addRow("logs-invalid-container")
        << QStringList{InjectBusybox} << "kubectl logs busybox -c nope" << 1 << ""
        << "error: container nope is not valid for pod busybox\n";
    QTest::addRow("logs-pilot-discovery")
        << QStringList{} << "kubectl logs -n istio-system deploy/istio-pilot -c discovery" << 0
        << "~\tinfo\t"
        << "";

    QTest::addRow("istioctl-version")
        << QStringList{} << "istioctl version" << 0 << "~client version: 1.3.0\n"
        << "";
    QTest::addRow("istioctl-kube-inject-no-file")
        << QStringList{} << "istioctl kube-inject" << 1 << ""
        << "Error: filename not specified (see "
           "--filename or -f)\n";
    QTest::addRow("istioctl-proxy-config-unknown-pod")
        << QStringList{} << "istioctl proxy-config listeners nope" << 1 << ""
        << "~pods \"nope\" not found\n";
    QTest::addRow("proxy-config-listener-after-serviceentry")
        << QStringList{InjectBusybox, EditServiceEntry, "kubectl apply -f redis-serviceentry.yaml"}
        << "istioctl proxy-config listeners busybox.default | grep 10.59.118.59" << 0
        << "~10.59.118.59 6379"
        << "";
    QTest::addRow("proxy-config-cluster-after-serviceentry")
        << QStringList{InjectBusybox, EditServiceEntry, "kubectl apply -f redis-serviceentry.yaml"}
        << "istioctl proxy-config clusters busybox | grep redis.domain" << 0 << "~redis.domain "
        << "";
    QTest::addRow("istioctl-analyze-file")
        << QStringList{} << "istioctl analyze redis-egress.yaml" << 0 << "~IST0"
        << "";

    QTest::addRow("helm-typo-note-mode-unchanged")
        << QStringList{HelmUpgrade.arg("global.outboundTrafficPolicymode=REGISTRY_ONLY")}
        << "kubectl get configmap istio -n istio-system -o yaml | grep -o 'mode: [A-Z_]*'" << 0
        << "mode: ALLOW_ANY\n"
        << "";
    QTest::addRow("helm-typo-prints-note")
        << QStringList{} << HelmUpgrade.arg("global.outboundTrafficPolicymode=REGISTRY_ONLY") << 0
        << "~Release \"istio\" has been upgraded.\nLAST DEPLOYED: Mon Sep 23 10:20:31 2019\n"
           "NAMESPACE: istio-system\nSTATUS: DEPLOYED\n\nRESOURCES:\n==> "
        << "~meshcraft: note: the istio 1.3.0 chart has no value "
           "global.outboundTrafficPolicymode";
    QTest::addRow("helm-registry-only")
        << QStringList{HelmUpgrade.arg("global.outboundTrafficPolicy.mode=REGISTRY_ONLY")}
        << "kubectl get configmap istio -n istio-system -o yaml | grep -o 'mode: [A-Z_]*'" << 0
        << "mode: REGISTRY_ONLY\n"
        << "";
    QTest::addRow("helm-get-values-after-upgrade")
        << QStringList{HelmUpgrade.arg("global.outboundTrafficPolicy.mode=REGISTRY_ONLY")}
        << "helm get values istio | grep REGISTRY_ONLY" << 0 << "    mode: REGISTRY_ONLY\n"
        << "";
    QTest::addRow("helm-missing-chart")
        << QStringList{} << "helm upgrade istio /nowhere/istio" << 1 << ""
        << "Error: path \"/nowhere/istio\" not found\n";
    QTest::addRow("helm-set-parse-error")
        << QStringList{} << HelmUpgrade.arg("mode") << 1 << ""
        << "Error: failed parsing --set data: key \"mode\" has no value\n";
    QTest::addRow("helm-ls") << QStringList{} << "helm ls" << 0
                             << "~NAME      \tREVISION\tUPDATED                 \tSTATUS  \t"
                             << "";

    QTest::addRow("gcloud-create-before-enable")
        << QStringList{} << CreateInstance << 1 << ""
        << "~ERROR: (gcloud.redis.instances.create) PERMISSION_DENIED: Google Cloud Memorystore "
           "for Redis API has not been used in project 489342710395 before or it is disabled.";
    QTest::addRow("gcloud-describe")
        << QStringList{EnableApi, CreateInstance}
        << "gcloud redis instances describe redis-cart --region=$REGION_ID" << 0
        << "~host: 10.59.118.59\n"
        << "";
    QTest::addRow("gcloud-unknown-flag")
        << QStringList{} << "gcloud redis instances list --bogus" << 2 << ""
        << "~ERROR: (gcloud.redis.instances.list) unrecognized arguments: --bogus\n";
    QTest::addRow("gcloud-services-list") << QStringList{EnableApi} << "gcloud services list" << 0
                                          << "~redis.googleapis.com  Google Cloud Memorystore for "
                                             "Redis API\n"
                                          << "";
}

void tst_Tools::commands()
{
    QFETCH(QStringList, setup);
    QFETCH(QString, line);
    QFETCH(int, status);
    QFETCH(QString, out);
    QFETCH(QString, err);
    Terminal terminal;
    QVERIFY2(terminal.start(), terminal.error.c_str());
    for (const QString &step : setup) {
        terminal.run(step);
    }
    const Ran ran = terminal.run(line);
    const auto check = [](const QString &actual, const QString &expected) {
        return expected.startsWith('~') ? actual.contains(expected.mid(1)) : actual == expected;
    };
    QVERIFY2(check(ran.out, out), qPrintable("stdout:\n" + ran.out + "\nstderr:\n" + ran.err));
    QVERIFY2(check(ran.err, err), qPrintable("stderr:\n" + ran.err));
    QCOMPARE(ran.status, status);
}

void tst_Tools::busyboxTelnetSession()
{
    Terminal terminal;
    QVERIFY2(terminal.start(), terminal.error.c_str());
    terminal.run(EnableApi);
    QCOMPARE(terminal.run(CreateInstance).status, 0);
    // The 1.3 chart logs nothing by default; switch the sidecars' access log on.
    QCOMPARE(terminal.run(HelmUpgrade.arg("global.proxy.accessLogFile=/dev/stdout")).status, 0);
    QCOMPARE(terminal.run(InjectBusybox).status, 0);

    // The workshop's deprecated form: kubectl 1.30's warning, then busybox's prompt.
    const Ran exec = terminal.run("kubectl exec -it busybox /bin/sh -n default");
    QCOMPARE(exec.err, QString("kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in "
                               "a future version. Use kubectl exec [POD] -- [COMMAND] instead.\n"
                               "Defaulted container \"busybox\" out of: busybox, istio-proxy\n"));
    QCOMPARE(int(terminal.shell->contextDepth()), 2);
    QCOMPARE(qs(terminal.shell->prompt()), QString("/ # "));
    // The pod sees only its own env (D7).
    QCOMPARE(terminal.run("echo \"[$REDIS_ADDR]\"").out, QString("[]\n"));

    const Ran notFound = terminal.run("redis-cli -h 10.59.118.59 ping");
    QCOMPARE(notFound.err, QString("/bin/sh: redis-cli: not found\n"));
    QCOMPARE(notFound.status, 127);

    const Ran connected = terminal.run("telnet 10.59.118.59 6379", "Connected to 10.59.118.59");
    QVERIFY2(connected.out.startsWith("Connected to 10.59.118.59\n"),
             qPrintable(connected.out + connected.err));
    QCOMPARE(terminal.shell->state(), Interpreter::State::Attached);
    const Ran pong = terminal.run("PING", "+PONG");
    QVERIFY2(pong.out.contains("+PONG"), qPrintable(pong.out));
    terminal.run("\x1d", "Console escape");
    const Ran escaped = terminal.run("e");
    QCOMPARE(escaped.status, 0);
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
    QCOMPARE(terminal.probesFinished, std::vector<std::string>{"busybox"});

    // Leaving the pod returns to the host shell.
    terminal.run("exit");
    QCOMPARE(int(terminal.shell->contextDepth()), 1);
    // The relay writes the line when the connection closes, on its own thread.
    Ran logs;
    for (int attempt = 0; attempt < 100 && !logs.out.contains("PassthroughCluster"); ++attempt) {
        logs = terminal.run("kubectl logs busybox -c istio-proxy");
        QTest::qSleep(20);
    }
    QVERIFY2(logs.out.contains("\"- - -\" 0 - ") && logs.out.contains(" PassthroughCluster "),
             qPrintable(logs.out + logs.err));
    QCOMPARE(logs.err, QString());
}

void tst_Tools::registryOnlyClosesTelnet()
{
    Terminal terminal;
    QVERIFY2(terminal.start(), terminal.error.c_str());
    terminal.run(EnableApi);
    QCOMPARE(terminal.run(CreateInstance).status, 0);
    QCOMPARE(terminal.run(InjectBusybox).status, 0);
    QCOMPARE(
        terminal.run(HelmUpgrade.arg("global.outboundTrafficPolicy.mode=REGISTRY_ONLY")).status, 0);
    terminal.run("kubectl exec -it busybox -- /bin/sh");
    QCOMPARE(int(terminal.shell->contextDepth()), 2);
    // Step 7: Envoy accepts, then BlackHoleCluster closes.
    const Ran closed = terminal.run("telnet 10.59.118.59 6379");
    QCOMPARE(closed.out,
             QString("Connected to 10.59.118.59\nConnection closed by foreign host\r\n"));
    QCOMPARE(closed.status, 1);
    // Leaving the pod after a failed command: kubectl reports the shell's status.
    const Ran left = terminal.run("exit");
    QCOMPARE(left.err, QString("command terminated with exit code 1\n"));
    QCOMPARE(left.status, 1);
    QCOMPARE(int(terminal.shell->contextDepth()), 1);
}

void tst_Tools::redisCliInRedisCart()
{
    Terminal terminal;
    QVERIFY2(terminal.start(), terminal.error.c_str());
    terminal.run(EnableApi);
    QCOMPARE(terminal.run(CreateInstance).status, 0);
    const Ran ping =
        terminal.run("kubectl exec -it deploy/redis-cart -- redis-cli -h $REDIS_ADDR ping");
    QCOMPARE(ping.out, QString("PONG\n"));
    QCOMPARE(ping.status, 0);
}

void tst_Tools::gcloudCreateExportsRedisAddr()
{
    Terminal terminal;
    QVERIFY2(terminal.start(), terminal.error.c_str());
    QCOMPARE(terminal.run(EnableApi).status, 0);
    QVERIFY(!terminal.shell->hostContext().variables().contains("REDIS_ADDR"));
    const Ran created = terminal.run(CreateInstance);
    QCOMPARE(created.status, 0);
    QCOMPARE(created.out, QString());
    QVERIFY2(created.err.startsWith("Create request issued for: [redis-cart]\nWaiting for "
                                    "operation [projects/srecon19-workshop-250603/locations/"
                                    "europe-west1/operations/operation-"),
             qPrintable(created.err));
    QVERIFY(created.err.endsWith("to complete...done.\nCreated instance [redis-cart].\n"));
    QCOMPARE(terminal.run("echo $REDIS_ADDR").out, QString("10.59.118.59\n"));
    QCOMPARE(terminal.run("env | grep REDIS_ADDR").out, QString("REDIS_ADDR=10.59.118.59\n"));
}

void tst_Tools::completionOffersResourceNames()
{
    Terminal terminal;
    QVERIFY2(terminal.start(), terminal.error.c_str());
    terminal.run(InjectBusybox);
    const std::string line = "kubectl get pods bu";
    const CompletionResult pods = terminal.shell->complete(line, line.size());
    QCOMPARE(pods.candidates, std::vector<std::string>{"busybox"});
    const std::string types = "kubectl get serviceen";
    QCOMPARE(terminal.shell->complete(types, types.size()).candidates,
             std::vector<std::string>{"serviceentries"});
    const std::string sub = "gcloud redis instances cr";
    QCOMPARE(terminal.shell->complete(sub, sub.size()).candidates,
             std::vector<std::string>{"create"});
}

QTEST_APPLESS_MAIN(tst_Tools)
#include "tst_tools.moc"
