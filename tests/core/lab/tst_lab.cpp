// SPDX-License-Identifier: GPL-3.0-or-later
// The lab format: loading lab.yaml against its schema (errors at line and column), whole-lab
// validation, variables, field paths and the checks judged against a fake world.
#include "core/common/text.h"
#include "core/config/store.h"
#include "core/lab/checks.h"
#include "core/lab/lab_definition.h"
#include "core/lab/lab_schema.h"
#include "core/lab/progress_store.h"

#include <QtTest>
#include <fstream>
#include <set>

using namespace meshcraft::core;
using namespace meshcraft::core::lab;

namespace {

// A minimal valid lab; rows mutate one line of it. Line numbers matter for the expectations.
const char *const MiniLab = "schema_version: 1\n"                                     // 1
                            "id: mini\n"                                              // 2
                            "title: Mini\n"                                           // 3
                            "summary: A tiny lab.\n"                                  // 4
                            "estimated_minutes: 5\n"                                  // 5
                            "world:\n"                                                // 6
                            "  istio:\n"                                              // 7
                            "    values: world/values.yaml\n"                         // 8
                            "files: []\n"                                             // 9
                            "steps:\n"                                                // 10
                            "- id: one\n"                                             // 11
                            "  title: One\n"                                          // 12
                            "  text: steps/one.md\n"                                  // 13
                            "  checks:\n"                                             // 14
                            "  - name: api\n"                                         // 15
                            "    cloud_service_enabled: redis.googleapis.com\n"       // 16
                            "    fail: Not yet.\n"                                    // 17
                            "  solution:\n"                                           // 18
                            "  - run: gcloud services enable redis.googleapis.com\n"; // 19

void writeText(const QString &path, const std::string &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    std::ofstream(path.toStdString(), std::ios::binary) << text;
}

/// A lab folder in `dir` with lab.yaml = `labYaml` and the texts MiniLab names.
void writeMiniLab(const QTemporaryDir &dir, const std::string &labYaml)
{
    writeText(dir.filePath("lab.yaml"), labYaml);
    writeText(dir.filePath("world/values.yaml"), "global: {}\n");
    writeText(dir.filePath("steps/one.md"), "# One\n");
}

/// "line:col: severity: message [code]" — the diagnostic without its (temporary) folder.
QStringList withoutFolder(const common::Diagnostics &diagnostics, const QString &folder)
{
    QStringList out;
    for (const auto &d : diagnostics) {
        QString line = QString::fromStdString(d.toString());
        line.remove(folder + "/lab.yaml:");
        out << line;
    }
    return out;
}

/// A fake world for the checks: a real store, plus settable cloud and cart state.
class FakeWorld : public CheckWorld
{
public:
    config::Store objects;
    std::set<std::string> services;
    std::map<std::string, std::string> instances;
    std::optional<CartWindow> cart;
    std::optional<ProbeRecord> probeResult;

    const config::Store &store() const override { return objects; }
    bool serviceEnabled(const std::string &service) const override
    {
        return services.count(service) > 0;
    }
    std::optional<std::string> instanceState(const std::string &name) const override
    {
        const auto it = instances.find(name);
        return it == instances.end() ? std::nullopt : std::optional(it->second);
    }
    std::optional<CartWindow> cartWindow(const std::string &target) const override
    {
        return cart && (target.empty() || cart->target == target) ? cart : std::nullopt;
    }
    std::optional<ProbeRecord> runProbe(const ProbeCondition &) override { return probeResult; }
};

ProbeRecord telnetRecord(std::string outcome, std::vector<std::string> clusters,
                         std::vector<std::string> proxies, int step, std::string flags = "-")
{
    ProbeRecord r;
    r.step = step;
    r.pod = "busybox";
    r.nameSpace = "default";
    r.tool = "telnet";
    r.to = "10.59.118.59:6379";
    r.outcome = std::move(outcome);
    r.clusters = std::move(clusters);
    r.proxies = std::move(proxies);
    r.flags = std::move(flags);
    return r;
}

CheckDef checkFromYaml(const std::string &conditionYaml)
{
    // Round-trip through the real loader so the rows use lab.yaml's own spelling.
    QTemporaryDir dir;
    std::string lab = MiniLab;
    lab.replace(lab.find("    cloud_service_enabled: redis.googleapis.com\n"),
                std::string("    cloud_service_enabled: redis.googleapis.com\n").size(),
                conditionYaml);
    writeMiniLab(dir, lab);
    const LoadResult loaded = loadDefinition(dir.path().toStdString());
    if (!loaded) {
        qWarning("%s", common::formatDiagnostics(loaded.error()).c_str());
        return {};
    }
    return loaded->steps[0].checks[0];
}

const std::map<std::string, std::string> Vars{{"REDIS_ADDR", "10.59.118.59"}};

} // namespace

class tst_Lab : public QObject
{
    Q_OBJECT

private slots:
    void schemaShipsAndParses();
    void miniLabLoads();
    void schemaErrorsCarryLineAndColumn_data();
    void schemaErrorsCarryLineAndColumn();
    void egressGatewayLoads();
    void egressGatewayValidatesClean();
    void exerciseMismatchIsReported();
    void undefinedVariableIsReported();
    void expandVariables_data();
    void expandVariables();
    void findField_data();
    void findField();
    void observedChecks_data();
    void observedChecks();
    void stateChecks();
    void historyChecks_data();
    void historyChecks();
    void outcomeFromTrace_data();
    void outcomeFromTrace();
    void resolveLabFolders();
    void progressRoundTrips();
    void progressRejectsNewerVersions_data();
    void progressRejectsNewerVersions();
    void atomicWriteReplaces();
    void lockIsExclusive();
};

void tst_Lab::schemaShipsAndParses()
{
    const auto &schema = labSchema();
    QVERIFY2(schema.has_value(), schema ? "" : common::formatDiagnostics(schema.error()).c_str());
}

void tst_Lab::miniLabLoads()
{
    QTemporaryDir dir;
    writeMiniLab(dir, MiniLab);
    const LoadResult loaded = loadDefinition(dir.path().toStdString());
    QVERIFY2(loaded.has_value(), loaded ? "" : common::formatDiagnostics(loaded.error()).c_str());
    QCOMPARE(QString::fromStdString(loaded->id), QStringLiteral("mini"));
    QCOMPARE(int(loaded->steps.size()), 1);
    QCOMPARE(QString::fromStdString(loaded->steps[0].text), QStringLiteral("# One\n"));
    QVERIFY(std::holds_alternative<CloudServiceCondition>(loaded->steps[0].checks[0].condition));
    QCOMPARE(loaded->steps[0].checks[0].mark.line, 15);
}

void tst_Lab::schemaErrorsCarryLineAndColumn_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QStringList>("expected");
    QTest::addRow("unknown-top-level-field")
        << "title: Mini"
        << "titel: Mini"
        << QStringList{"1:1: error: missing required field \"title\" [lab.schema-required]",
                       "3:1: error: unknown field \"titel\" [lab.schema-unknown-field]"};
    QTest::addRow("wrong-type")
        << "estimated_minutes: 5"
        << "estimated_minutes: soon"
        << QStringList{"5:20: error: estimated_minutes: expected integer, got string "
                       "[lab.schema-type]"};
    QTest::addRow("schema-version-enum")
        << "schema_version: 1"
        << "schema_version: 2"
        << QStringList{"1:17: error: schema_version: must be one of 1; got 2 [lab.schema-enum]"};
    QTest::addRow("unknown-check-field")
        << "    fail: Not yet."
        << "    fail: Not yet.\n    hint: try harder"
        << QStringList{"18:5: error: unknown field \"steps[0].checks[0].hint\" "
                       "[lab.schema-unknown-field]"};
    QTest::addRow("bad-outcome")
        << "    cloud_service_enabled: redis.googleapis.com"
        << "    observed:\n      from: busybox\n      to: 10.59.118.59:6379\n"
           "      outcome: conected"
        << QStringList{"19:16: error: steps[0].checks[0].observed.outcome: must be one of "
                       "connected, closed, refused, pong; got \"conected\" [lab.schema-enum]"};
    QTest::addRow("two-conditions")
        << "    cloud_service_enabled: redis.googleapis.com"
        << "    cloud_service_enabled: redis.googleapis.com\n"
           "    mesh: {outbound_traffic_policy: REGISTRY_ONLY}"
        << QStringList{"15:5: error: steps[0].checks[0]: a check has exactly one condition: "
                       "observed, probe, resource, mesh, history, cart, cloud_service_enabled "
                       "or cloud_instance [lab.schema-one-of]"};
    QTest::addRow("no-condition")
        << "    cloud_service_enabled: redis.googleapis.com\n"
        << ""
        << QStringList{"15:5: error: steps[0].checks[0]: a check has exactly one condition: "
                       "observed, probe, resource, mesh, history, cart, cloud_service_enabled "
                       "or cloud_instance [lab.schema-one-of]"};
    QTest::addRow("missing-fail")
        << "    fail: Not yet.\n"
        << ""
        << QStringList{"15:5: error: steps[0].checks[0]: missing required field \"fail\" "
                       "[lab.schema-required]"};
    QTest::addRow("hint-seconds-negative")
        << "  solution:"
        << "  hints:\n  - text: wait\n    after_seconds: -1\n  solution:"
        << QStringList{"20:20: error: steps[0].hints[0].after_seconds: must be at least 0; "
                       "got -1 [lab.schema-minimum]"};
    QTest::addRow("edit-without-content")
        << "  - run: gcloud services enable redis.googleapis.com"
        << "  - edit: {file: a.yaml}"
        << QStringList{"19:11: error: steps[0].solution[0].edit: an edit has either content, "
                       "or replace with with [lab.schema-one-of]"};
    QTest::addRow("no-steps")
        << "steps:\n"
        << "steps: []\nx:\n"
        << QStringList{"10:8: error: steps: needs at least 1 item [lab.schema-min-items]",
                       "11:1: error: unknown field \"x\" [lab.schema-unknown-field]"};
    QTest::addRow("missing-step-text")
        << "  text: steps/one.md"
        << "  text: steps/two.md"
        << QStringList{"13:9: error: file \"steps/two.md\" does not exist [lab.missing-file]"};
    QTest::addRow("text-outside-the-lab")
        << "  text: steps/one.md"
        << "  text: ../one.md"
        << QStringList{"13:9: error: \"../one.md\" must be a path inside the lab folder "
                       "[lab.bad-path]"};
}

void tst_Lab::schemaErrorsCarryLineAndColumn()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QStringList, expected);
    std::string lab = MiniLab;
    const std::size_t at = lab.find(from.toStdString());
    QVERIFY(at != std::string::npos);
    lab.replace(at, from.toStdString().size(), to.toStdString());
    if (QTest::currentDataTag() == QByteArray("no-steps")) {
        lab = lab.substr(0, lab.find("- id: one"));
    }
    QTemporaryDir dir;
    writeMiniLab(dir, lab);
    const LoadResult loaded = loadDefinition(dir.path().toStdString());
    QVERIFY(!loaded.has_value());
    QCOMPARE(withoutFolder(loaded.error(), dir.path()), expected);
}

void tst_Lab::egressGatewayLoads()
{
    const LoadResult loaded = loadDefinition(LABS_SOURCE_DIR "/egress-gateway");
    QVERIFY2(loaded.has_value(), loaded ? "" : common::formatDiagnostics(loaded.error()).c_str());
    QCOMPARE(int(loaded->steps.size()), 11);
    QCOMPARE(QString::fromStdString(loaded->steps[5].notes[0].first),
             QStringLiteral("steps/06-note-typo.md"));
    QCOMPARE(QString::fromStdString(loaded->workshopFilesDir()),
             QStringLiteral("/home/learner/workshop/istio-workshop-labs"));
    QCOMPARE(QString::fromStdString(loaded->variables().at("REDIS_ADDR")),
             QStringLiteral("10.59.118.59"));
    const StepDef &step8 = loaded->steps[7];
    QCOMPARE(step8.solution[0].expectExit, std::optional<int>(1));
    QCOMPARE(step8.solution[1].kind, SolutionAction::Kind::Edit);
    QCOMPARE(QString::fromStdString(*step8.solution[1].with), QStringLiteral("${REDIS_ADDR}"));
    const auto *observed = std::get_if<ObservedCondition>(&loaded->steps[9].checks[0].condition);
    QVERIFY(observed);
    QVERIFY(observed->sinceStep);
    QCOMPARE(QString::fromStdString(*observed->notVia), QStringLiteral("istio-egressgateway"));
    QVERIFY(loaded->file("egressgateway-redis-values.yaml")->helmValues);
    QVERIFY(loaded->file("redis-serviceentry.yaml")->exercise);
}

void tst_Lab::egressGatewayValidatesClean()
{
    const common::Diagnostics problems = labValidate(LABS_SOURCE_DIR "/egress-gateway");
    QVERIFY2(problems.empty(), common::formatDiagnostics(problems).c_str());
}

void tst_Lab::exerciseMismatchIsReported()
{
    QTemporaryDir dir;
    std::string lab = MiniLab;
    lab.replace(lab.find("files: []"), 9,
                "files:\n- path: se.yaml\n  exercise:\n    diagnostics:\n    - \"se.yaml:1:1: "
                "error: nothing [x]\"");
    writeMiniLab(dir, lab);
    writeText(dir.filePath("files/se.yaml"),
              "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata:\n"
              "  name: se\nspec:\n  hosts:\n  - redis.domain\n  addresses:\n  - REDIS_ENDPOINT\n"
              "  ports:\n  - number: 6379\n    name: tcp-redis\n    protocol: TCP\n");
    const common::Diagnostics problems = labValidate(dir.path().toStdString());
    QCOMPARE(int(problems.size()), 1);
    QCOMPARE(QString::fromStdString(problems[0].code), QStringLiteral("lab.exercise-mismatch"));
    QVERIFY(problems[0].message.find("se.yaml:9:5: error: REDIS_ENDPOINT is not a valid IP") !=
            std::string::npos);
    QCOMPARE(problems[0].location.line, 10);
}

void tst_Lab::undefinedVariableIsReported()
{
    QTemporaryDir dir;
    std::string lab = MiniLab;
    lab.replace(lab.find("    fail: Not yet."), 18, "    fail: Not yet ${NOPE}.");
    writeMiniLab(dir, lab);
    const common::Diagnostics problems = labValidate(dir.path().toStdString());
    QCOMPARE(int(problems.size()), 1);
    QCOMPARE(withoutFolder(problems, dir.path()),
             QStringList{"15:5: error: step \"one\" uses ${NOPE}, which is not in "
                         "world.variables or world.env [lab.undefined-variable]"});
}

void tst_Lab::expandVariables_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("dollarNames");
    QTest::addColumn<QString>("expected");
    QTest::addRow("braced") << "telnet ${REDIS_ADDR} 6379" << false << "telnet 10.59.118.59 6379";
    QTest::addRow("bare-left-alone") << "--region=$REGION_ID" << false << "--region=$REGION_ID";
    QTest::addRow("bare-expanded") << "$REDIS_ADDR:6379" << true << "10.59.118.59:6379";
    QTest::addRow("unknown-kept") << "${NOPE} and ${REDIS_ADDR}" << false
                                  << "${NOPE} and 10.59.118.59";
    QTest::addRow("unterminated") << "${REDIS_ADDR" << false << "${REDIS_ADDR";
    QTest::addRow("dollar-at-end") << "cost $" << true << "cost $";
}

void tst_Lab::expandVariables()
{
    QFETCH(QString, text);
    QFETCH(bool, dollarNames);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(lab::expandVariables(text.toStdString(), Vars, dollarNames)),
             expected);
}

void tst_Lab::findField_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected"); // empty: absent
    QTest::addRow("plain") << "metadata.name"
                           << "cartservice";
    QTest::addRow("index") << "spec.template.spec.containers[0].name"
                           << "server";
    QTest::addRow("by-name") << "spec.template.spec.containers[0].env[REDIS_ADDR].value"
                             << "10.59.118.59:6379";
    QTest::addRow("by-field") << "spec.ports[port=6379].name"
                              << "tcp-redis";
    QTest::addRow("by-field-missing") << "spec.ports[port=80].name"
                                      << "";
    QTest::addRow("index-out-of-range") << "spec.template.spec.containers[3].name"
                                        << "";
    QTest::addRow("not-a-list") << "metadata[0]"
                                << "";
    QTest::addRow("unterminated") << "spec.ports[port=6379"
                                  << "";
}

void tst_Lab::findField()
{
    QFETCH(QString, path);
    QFETCH(QString, expected);
    const auto loaded = config::loadYaml("metadata:\n  name: cartservice\nspec:\n  ports:\n"
                                         "  - port: 6379\n    name: tcp-redis\n  template:\n"
                                         "    spec:\n      containers:\n      - name: server\n"
                                         "        env:\n        - name: REDIS_ADDR\n"
                                         "          value: \"10.59.118.59:6379\"\n",
                                         "d.yaml");
    const config::Node *node = lab::findField(loaded.documents[0].root, path.toStdString());
    QCOMPARE(node ? QString::fromStdString(node->scalar) : QString(), expected);
}

void tst_Lab::observedChecks_data()
{
    QTest::addColumn<QString>("condition");
    QTest::addColumn<int>("step");
    QTest::addColumn<bool>("passes");
    // The history: step 4 connected through PassthroughCluster, step 7 closed by BlackHole, step
    // 8 through the ServiceEntry's cluster.
    const QString to = "      from: busybox\n      to: ${REDIS_ADDR}:6379\n";
    QTest::addRow("step4-passthrough")
        << "    observed:\n" + to + "      outcome: connected\n      cluster: PassthroughCluster\n"
        << 4 << true;
    QTest::addRow("step7-blackhole")
        << "    observed:\n" + to +
               "      outcome: closed\n      flags: UH\n      cluster: BlackHoleCluster\n"
        << 7 << true;
    QTest::addRow("wrong-flags") << "    observed:\n" + to +
                                        "      outcome: closed\n      flags: UF\n"
                                 << 7 << false;
    QTest::addRow("since-step-none-yet")
        << "    observed:\n" + to +
               "      outcome: connected\n      not_via: istio-egressgateway\n      since: step\n"
        << 10 << false;
    QTest::addRow("since-step-made-then")
        << "    observed:\n" + to +
               "      outcome: connected\n      not_via: istio-egressgateway\n      since: step\n"
        << 8 << true;
    QTest::addRow("via-gateway-not-yet")
        << "    observed:\n" + to + "      outcome: connected\n      via: istio-egressgateway\n"
        << 11 << false;
    QTest::addRow("other-pod")
        << "    observed:\n      from: cartservice\n      to: ${REDIS_ADDR}:6379\n"
           "      outcome: connected\n"
        << 4 << false;
    QTest::addRow("pong-needs-pong") << "    observed:\n" + to + "      outcome: pong\n"
                                     << 4 << false;
}

void tst_Lab::observedChecks()
{
    QFETCH(QString, condition);
    QFETCH(int, step);
    QFETCH(bool, passes);
    const CheckDef check = checkFromYaml(condition.toStdString());
    QVERIFY(!check.name.empty());
    FakeWorld world;
    const std::vector<ProbeRecord> probes{
        telnetRecord("connected", {"PassthroughCluster"}, {"busybox.default"}, 4),
        telnetRecord("closed", {"BlackHoleCluster"}, {"busybox.default"}, 7, "UH"),
        telnetRecord("connected", {"outbound|6379||redis.domain"}, {"busybox.default"}, 8)};
    const std::vector<CommandRecord> commands;
    const CheckResult result = evaluateCheck(check, world, {probes, commands, step}, Vars);
    QVERIFY2(result.passed == passes, result.detail.c_str());
    QCOMPARE(result.sentence.empty(), passes);
}

void tst_Lab::stateChecks()
{
    FakeWorld world;
    const std::vector<ProbeRecord> probes;
    const std::vector<CommandRecord> commands;
    const CheckHistory history{probes, commands, 1};
    const auto run = [&](const char *yaml) {
        return evaluateCheck(checkFromYaml(yaml), world, history, Vars);
    };
    const char *api = "    cloud_service_enabled: redis.googleapis.com\n";
    QVERIFY(!run(api).passed);
    QCOMPARE(QString::fromStdString(run(api).sentence), QStringLiteral("Not yet."));
    world.services.insert("redis.googleapis.com");
    QVERIFY(run(api).passed);

    const char *ready = "    cloud_instance: {name: redis-cart, state: READY}\n";
    QVERIFY(!run(ready).passed);
    world.instances["redis-cart"] = "CREATING";
    QVERIFY(!run(ready).passed);
    world.instances["redis-cart"] = "READY";
    QVERIFY(run(ready).passed);

    const char *mesh = "    mesh: {outbound_traffic_policy: REGISTRY_ONLY}\n";
    QVERIFY(!run(mesh).passed); // no istio ConfigMap: Istio's default, ALLOW_ANY
    world.objects.createSystemNamespaces();
    world.objects.applyText("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n",
                            "ns.yaml", config::ApplyMode::PerDocument);
    world.objects.applyText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n"
                            "  namespace: istio-system\ndata:\n  mesh: |-\n"
                            "    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n",
                            "cm.yaml", config::ApplyMode::PerDocument);
    QVERIFY(run(mesh).passed);

    const char *field = "    resource:\n      kind: ServiceEntry\n      name: redis-serviceentry\n"
                        "      field: spec.addresses[0]\n      equals: ${REDIS_ADDR}\n";
    QVERIFY(!run(field).passed);
    world.objects.applyText("apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\n"
                            "metadata:\n  name: redis-serviceentry\n  namespace: default\nspec:\n"
                            "  hosts: [redis.domain]\n  addresses: [10.59.118.59]\n",
                            "se.yaml", config::ApplyMode::PerDocument);
    QVERIFY2(run(field).passed, run(field).detail.c_str());

    const char *sidecar = "    resource: {kind: Pod, name: busybox, has_container: istio-proxy}\n";
    world.objects.applyText("apiVersion: v1\nkind: Pod\nmetadata:\n  name: busybox\n"
                            "  namespace: default\nspec:\n  containers:\n  - name: busybox\n"
                            "    image: busybox\n",
                            "bb.yaml", config::ApplyMode::PerDocument);
    QVERIFY(!run(sidecar).passed);

    const char *cart = "    cart: {target: \"${REDIS_ADDR}:6379\", min_success_rate: 0.9}\n";
    QVERIFY(!run(cart).passed);
    world.cart = CartWindow{"10.59.118.59:6379", 20, 0.5};
    QVERIFY(!run(cart).passed);
    world.cart->successRate = 0.95;
    QVERIFY(run(cart).passed);
    world.cart->target = "redis-cart:6379";
    QVERIFY(!run(cart).passed);

    const char *probe = "    probe: {from: busybox, to: \"${REDIS_ADDR}:6379\", outcome: pong, "
                        "tool: redis-cli}\n";
    QVERIFY(!run(probe).passed); // the probe could not run
    world.probeResult = telnetRecord("pong", {"PassthroughCluster"}, {"busybox.default"}, 1);
    QVERIFY(run(probe).passed);
}

void tst_Lab::historyChecks_data()
{
    QTest::addColumn<QString>("condition");
    QTest::addColumn<bool>("passes");
    QTest::addRow("ran") << "    history: {ran: \"^gcloud redis instances (describe|list)\"}\n"
                         << true;
    QTest::addRow("ran-and-succeeded")
        << "    history: {ran: \"^gcloud redis instances describe\", succeeded: true}\n"
        << false;
    QTest::addRow("before-followed")
        << "    history: {ran: \"^istioctl analyze\", before: \"^kubectl apply\"}\n"
        << true;
    QTest::addRow("before-never-followed")
        << "    history: {ran: \"^kubectl apply\", before: \"^istioctl analyze\"}\n"
        << false;
    QTest::addRow("bad-regex") << "    history: {ran: \"(\"}\n" << false;
}

void tst_Lab::historyChecks()
{
    QFETCH(QString, condition);
    QFETCH(bool, passes);
    FakeWorld world;
    const std::vector<ProbeRecord> probes;
    const std::vector<CommandRecord> commands{
        {1, 3, "host", "gcloud redis instances describe redis-cart", 1},
        {2, 3, "host", "gcloud redis instances list --region=$REGION_ID", 0},
        {3, 9, "host", "istioctl analyze", 0},
        {4, 9, "host", "kubectl apply -f redis-egress.yaml", 0}};
    const CheckResult result =
        evaluateCheck(checkFromYaml(condition.toStdString()), world, {probes, commands, 3}, Vars);
    QVERIFY2(result.passed == passes, result.detail.c_str());
}

void tst_Lab::outcomeFromTrace_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<int>("exitStatus");
    QTest::addColumn<int>("hops");
    QTest::addColumn<uint>("flags");
    QTest::addColumn<QString>("outcome");
    const uint uh = static_cast<uint>(relay::ResponseFlag::NoHealthyUpstream);
    QTest::addRow("telnet-passthrough") << "telnet" << 0 << 1 << 0U << "connected";
    QTest::addRow("telnet-blackhole") << "telnet" << 1 << 1 << uh << "closed";
    QTest::addRow("telnet-server-closed") << "telnet" << 1 << 1 << 0U << "closed";
    QTest::addRow("telnet-no-sidecar-refused") << "telnet" << 1 << 0 << 0U << "refused";
    QTest::addRow("redis-cli-reply") << "redis-cli" << 0 << 2 << 0U << "pong";
    QTest::addRow("redis-cli-blackhole") << "redis-cli" << 1 << 1 << uh << "closed";
}

void tst_Lab::outcomeFromTrace()
{
    QFETCH(QString, tool);
    QFETCH(int, exitStatus);
    QFETCH(int, hops);
    QFETCH(uint, flags);
    QFETCH(QString, outcome);
    probe::Trace trace;
    for (int i = 0; i < hops; ++i) {
        probe::TraceHop hop;
        hop.closed = true;
        hop.flags = i == 0 ? flags : 0;
        trace.hops.push_back(hop);
    }
    QCOMPARE(QString::fromStdString(outcomeOf(tool.toStdString(), exitStatus, &trace, {})),
             outcome);
}

void tst_Lab::resolveLabFolders()
{
    QTemporaryDir dir;
    writeText(dir.filePath("labs/one/lab.yaml"), "x: 1\n");
    writeText(dir.filePath("labs/two/lab.yaml"), "x: 1\n");
    QDir().mkpath(dir.filePath("labs/not-a-lab"));
    const std::filesystem::path labs = dir.filePath("labs").toStdString();
    QCOMPARE(int(listLabFolders(labs).size()), 2);
    QCOMPARE(resolveLabFolder("one", labs), std::optional(labs / "one"));
    QCOMPARE(resolveLabFolder((labs / "two").string(), "/nowhere"), std::optional(labs / "two"));
    QCOMPARE(resolveLabFolder("not-a-lab", labs), std::nullopt);
    QCOMPARE(resolveLabFolder("three", labs), std::nullopt);
}

void tst_Lab::progressRoundTrips()
{
    SavedProgress progress;
    progress.labId = "egress-gateway";
    progress.currentStep = 8;
    progress.steps = {{"enable-api", "passed", 0, 1, false}, {"reach", "failed", 2, 2, true}};
    progress.files["/home/learner/workshop/istio-workshop-labs/se.yaml"] =
        "spec:\n  addresses:\n  - \"10.59.118.59\" # edited\n\ttab\\\n";
    progress.removedFiles = {"/home/learner/workshop/istio-workshop-labs/old.yaml"};
    const std::string text = serializeProgress(progress);
    const auto parsed = parseProgress(text);
    QVERIFY2(parsed, parsed ? "" : parsed.error().message.c_str());
    QVERIFY(*parsed == progress);
    QCOMPARE(serializeProgress(*parsed), text);
}

void tst_Lab::progressRejectsNewerVersions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("code");
    QTest::addRow("newer-version") << R"({"version":2,"lab":"x"})"
                                   << "lab.progress-version";
    QTest::addRow("no-version") << R"({"lab":"x"})"
                                << "lab.progress-version";
    QTest::addRow("not-json") << "{"
                              << "lab.progress-unreadable";
    QTest::addRow("a-list") << "[1]"
                            << "lab.progress-unreadable";
}

void tst_Lab::progressRejectsNewerVersions()
{
    QFETCH(QString, text);
    QFETCH(QString, code);
    const auto parsed = parseProgress(text.toStdString());
    QVERIFY(!parsed);
    QCOMPARE(QString::fromStdString(parsed.error().code), code);
}

void tst_Lab::atomicWriteReplaces()
{
    QTemporaryDir dir;
    const std::filesystem::path path = dir.filePath("a/b/progress.json").toStdString();
    QVERIFY(writeFileAtomically(path, "one"));
    QVERIFY(writeFileAtomically(path, "two"));
    QCOMPARE(common::readFile(path.string()), std::optional<std::string>("two"));
    // No temporary file is left beside it.
    QCOMPARE(QDir(dir.filePath("a/b")).entryList(QDir::Files), QStringList{"progress.json"});
    QVERIFY(!writeFileAtomically("/proc/meshcraft-no/x", "y"));
}

void tst_Lab::lockIsExclusive()
{
    QTemporaryDir dir;
    const std::filesystem::path lockFile = dir.filePath("lab/lock").toStdString();
    {
        auto first = LabLock::acquire(lockFile);
        QVERIFY(first);
        const auto second = LabLock::acquire(lockFile);
        QVERIFY(!second);
        QCOMPARE(QString::fromStdString(second.error().code), QStringLiteral("lab.locked"));
        LabLock moved = std::move(*first); // still held after a move
        QVERIFY(!LabLock::acquire(lockFile));
    }
    QVERIFY(LabLock::acquire(lockFile)); // released with its owner
}

QTEST_APPLESS_MAIN(tst_Lab)
#include "tst_lab.moc"
