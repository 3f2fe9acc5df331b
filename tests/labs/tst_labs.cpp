// SPDX-License-Identifier: GPL-3.0-or-later
// Every lab under labs/ validates; the Egress Gateway lab runs end to end through the real
// terminal: each step's checks fail before its solution and pass after it, the workshop's
// pitfalls behave as the product says, jumps give the same state as a run from the start, the
// CLI's transcript is the golden one, a scripted `lab shell` reproduces the lab, a real
// redis-cli goes through `tunnel`, and progress is saved, locked and resumed.
#include "core/common/text.h"
#include "core/lab/lab_definition.h"
#include "core/lab/progress_store.h"
#include "core/lab/session.h"
#include "tests/support/cli_runner.h"

#include <QtTest>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>

using namespace meshcraft::core;
using namespace meshcraft::core::lab;
using namespace std::chrono_literals;

namespace {

const QString Binary = QStringLiteral(MESHCRAFT_BINARY);
const QString EgressLab = QStringLiteral(LABS_SOURCE_DIR "/egress-gateway");

SessionOptions headless()
{
    SessionOptions options;
    options.persist = false;
    options.fixedClock = true;
    options.labsDir = LABS_SOURCE_DIR;
    return options;
}

/// A session driven from the test's thread: its events kept in order, with waits on them.
class Driver : public SessionObserver
{
public:
    explicit Driver(SessionOptions options = headless()) : session(std::move(options))
    {
        session.setObserver(this);
    }
    ~Driver() override { session.setObserver(nullptr); }

    void onSessionEvents(const std::vector<Event> &batch) override
    {
        {
            const std::lock_guard lock(m_mutex);
            m_events.insert(m_events.end(), batch.begin(), batch.end());
        }
        m_changed.notify_all();
    }

    std::size_t mark()
    {
        const std::lock_guard lock(m_mutex);
        return m_events.size();
    }

    /// The first event of type T at or after `from` that satisfies `accept`.
    template <typename T, typename Pred>
    std::optional<T> waitFor(std::size_t from, Pred accept, std::chrono::milliseconds timeout = 60s)
    {
        std::unique_lock lock(m_mutex);
        std::optional<T> found;
        m_changed.wait_for(lock, timeout, [&] {
            for (std::size_t i = from; i < m_events.size(); ++i) {
                if (const auto *e = std::get_if<T>(&m_events[i].payload); e && accept(*e)) {
                    found = *e;
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    std::vector<Event> allEvents()
    {
        const std::lock_guard lock(m_mutex);
        return m_events;
    }

    template <typename T> std::vector<T> all(std::size_t from = 0)
    {
        const std::lock_guard lock(m_mutex);
        std::vector<T> out;
        for (std::size_t i = from; i < m_events.size(); ++i) {
            if (const auto *e = std::get_if<T>(&m_events[i].payload)) {
                out.push_back(*e);
            }
        }
        return out;
    }

    /// Terminal output since `from`, stdout and stderr together.
    QString output(std::size_t from)
    {
        QString text;
        for (const auto &chunk : all<events::CommandOutput>(from)) {
            text += QString::fromStdString(chunk.text);
        }
        return text;
    }

    bool open(const QString &lab = EgressLab)
    {
        const std::size_t from = mark();
        session.open(lab.toStdString());
        const auto opened = waitFor<events::LabOpened>(from, [](const auto &) { return true; });
        return opened.has_value();
    }

    bool runSolutions(int first, int last)
    {
        std::promise<bool> done;
        auto result = done.get_future();
        session.runSolutions(first, last, [&done](bool ok) { done.set_value(ok); });
        return result.wait_for(120s) == std::future_status::ready && result.get();
    }

    events::ChecksEvaluated check(int step)
    {
        const std::size_t from = mark();
        session.checkStep(step);
        return waitFor<events::ChecksEvaluated>(from,
                                                [step](const auto &e) { return e.step == step; })
            .value_or(events::ChecksEvaluated{});
    }

    /// Types a line into the terminal and waits for it to be done; its exit status.
    int run(const std::string &line)
    {
        const std::size_t from = mark();
        session.submitLine(line);
        const auto finished =
            waitFor<events::CommandFinished>(from, [&](const auto &e) { return e.line == line; });
        session.waitIdle(30s);
        return finished ? finished->exitStatus : -1;
    }

    bool jump(int step)
    {
        const std::size_t from = mark();
        session.jumpToStep(step);
        return waitFor<events::WorldRebuilt>(from,
                                             [step](const auto &e) { return e.atStep == step; })
            .has_value();
    }

private:
    // Declared before the session, so they outlive it.
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<Event> m_events;

public:
    Session session;
};

bool viaGateway(const ProbeRecord &probe)
{
    return std::any_of(probe.proxies.begin(), probe.proxies.end(), [](const std::string &id) {
        return id.rfind("istio-egressgateway-", 0) == 0;
    });
}

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

class tst_Labs : public QObject
{
    Q_OBJECT

private slots:
    void labValidates_data();
    void labValidates();
    void labListShowsTheLab();
    void checksFailBeforeAndPassAfter();
    void workshopTypoLeavesAllowAny();
    void uneditedServiceEntryIsRefused();
    void gatewayOnlyInStep11();
    void jumpsMatchARunFromTheStart();
    void goldenTranscript();
    void untilSevenAndSix();
    void scriptedShellReproducesTheLab();
    void tunnelWithRealRedisCli_data();
    void tunnelWithRealRedisCli();
    void tunnelRefusesNonLoopback();
    void saveRestoreAndLock();
    void labResetForgetsProgress();
    void hintLadder();
    void eventsAreOrderedWithoutGaps();
    void analyzeOnTopOfTheLab();
};

void tst_Labs::labValidates_data()
{
    QTest::addColumn<QString>("folder");
    const QDir labs(QStringLiteral(LABS_SOURCE_DIR));
    for (const QString &entry : labs.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (QFile::exists(labs.filePath(entry + "/lab.yaml"))) {
            QTest::addRow("%s", qPrintable(entry)) << labs.filePath(entry);
        }
    }
}

void tst_Labs::labValidates()
{
    QFETCH(QString, folder);
    const common::Diagnostics problems = labValidate(folder.toStdString());
    QVERIFY2(problems.empty(), common::formatDiagnostics(problems).c_str());
    const auto run = meshcraft::tests::runMeshcraft(Binary, {"lab", "validate", folder});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.endsWith(": ok\n"), qPrintable(run.out + run.err));
}

void tst_Labs::labListShowsTheLab()
{
    const auto run = meshcraft::tests::runMeshcraft(Binary, {"lab", "list"});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("egress-gateway\tEgress Gateway (11 steps, about 45 minutes)"),
             qPrintable(run.out + run.err));
}

void tst_Labs::checksFailBeforeAndPassAfter()
{
    Driver driver;
    QVERIFY(driver.open());
    const int steps = static_cast<int>(driver.session.definition()->steps.size());
    for (int step = 1; step <= steps; ++step) {
        const events::ChecksEvaluated before = driver.check(step);
        QVERIFY2(!before.results.empty(), qPrintable(QString("step %1").arg(step)));
        for (const CheckResult &result : before.results) {
            QVERIFY2(!result.passed, qPrintable(QString("step %1: %2 passed before its solution "
                                                        "(%3)")
                                                    .arg(step)
                                                    .arg(QString::fromStdString(result.name))
                                                    .arg(QString::fromStdString(result.detail))));
            QVERIFY(!result.sentence.empty());
        }
        QVERIFY2(driver.runSolutions(step, step), qPrintable(QString("step %1").arg(step)));
        const auto after = driver.session.lastResults(step);
        QVERIFY(!after.empty());
        for (const CheckResult &result : after) {
            QVERIFY2(result.passed, qPrintable(QString("step %1: %2: %3")
                                                   .arg(step)
                                                   .arg(QString::fromStdString(result.name))
                                                   .arg(QString::fromStdString(result.detail))));
        }
    }
    QCOMPARE(driver.session.progress().percent, 100);
    QVERIFY(driver.session.progress().finished);
}

void tst_Labs::workshopTypoLeavesAllowAny()
{
    Driver driver;
    QVERIFY(driver.open());
    const std::size_t from = driver.mark();
    QVERIFY(driver.jump(6));
    // Entering step 6 shows its note about the typo.
    const auto note = driver.waitFor<events::Note>(from, [](const events::Note &n) {
        return n.step == 6 && n.markdown.find("outboundTrafficPolicymode") != std::string::npos;
    });
    QVERIFY(note);
    const std::size_t typed = driver.mark();
    QCOMPARE(driver.run("helm upgrade --reuse-values --set "
                        "global.outboundTrafficPolicymode=REGISTRY_ONLY istio "
                        "$WORKSHOP_HOME/istio-$ISTIO_VERSION/install/kubernetes/helm/istio"),
             0);
    // Helm accepts the unknown key, nothing changes, and Meshcraft says so with the real key.
    const QString output = driver.output(typed);
    QVERIFY2(output.contains("global.outboundTrafficPolicy.mode"), qPrintable(output));
    const events::ChecksEvaluated result = driver.check(6);
    QVERIFY(!result.passed);
    QCOMPARE(QString::fromStdString(result.results[0].detail),
             QStringLiteral("outboundTrafficPolicy ALLOW_ANY"));
    // And step 7's telnet still connects, through PassthroughCluster.
    const std::size_t exec = driver.mark();
    driver.session.submitLine("kubectl exec -it busybox /bin/sh -n default");
    QVERIFY(driver.waitFor<events::PromptChanged>(
        exec, [](const auto &p) { return p.prompt == "/ # "; }));
    const std::size_t probeFrom = driver.mark();
    driver.session.submitLine("telnet 10.59.118.59 6379");
    driver.waitFor<events::CommandOutput>(
        probeFrom, [](const auto &o) { return o.text.find("Connected to") != std::string::npos; });
    driver.session.sendEndOfFile();
    const auto probe =
        driver.waitFor<events::ProbeObserved>(probeFrom, [](const auto &) { return true; });
    QVERIFY(probe);
    QCOMPARE(QString::fromStdString(probe->probe.outcome), QStringLiteral("connected"));
    QCOMPARE(probe->probe.clusters, std::vector<std::string>{"PassthroughCluster"});
}

void tst_Labs::uneditedServiceEntryIsRefused()
{
    Driver driver;
    QVERIFY(driver.open());
    QVERIFY(driver.jump(8));
    const std::string before = driver.session.dumpState();
    const std::size_t from = driver.mark();
    QCOMPARE(driver.run("kubectl apply -f $WORKSHOP_HOME/istio-workshop-labs/"
                        "redis-serviceentry.yaml"),
             1);
    QVERIFY(driver.output(from).contains("REDIS_ENDPOINT is not a valid IP"));
    QCOMPARE(driver.session.dumpState(), before);

    // The editor's Apply is all or nothing, and refuses it too.
    const auto text = driver.session.readFile("redis-serviceentry.yaml");
    QVERIFY(text);
    const std::size_t applied = driver.mark();
    driver.session.applyBuffer("redis-serviceentry.yaml", *text, 7);
    const auto result = driver.waitFor<events::Applied>(
        applied, [](const events::Applied &a) { return a.requestId == 7; });
    QVERIFY(result);
    QVERIFY(!result->ok);
    QCOMPARE(driver.session.dumpState(), before);

    // As you type: the placeholder is reported at its place; a Helm values file is only YAML.
    const std::size_t validated = driver.mark();
    driver.session.validateBuffer("redis-serviceentry.yaml", *text, 8);
    const auto found = driver.waitFor<events::BufferValidated>(
        validated, [](const events::BufferValidated &v) { return v.requestId == 8; });
    QVERIFY(found && found->diagnostics.size() == 1);
    QCOMPARE(found->diagnostics[0].location.line, 9);
    const auto values = driver.session.readFile("egressgateway-redis-values.yaml");
    QVERIFY(values);
    driver.session.validateBuffer("egressgateway-redis-values.yaml", *values, 9);
    const auto clean = driver.waitFor<events::BufferValidated>(
        validated, [](const events::BufferValidated &v) { return v.requestId == 9; });
    QVERIFY(clean);
    QVERIFY2(clean->diagnostics.empty(),
             clean->diagnostics.empty() ? "" : clean->diagnostics[0].toString().c_str());
}

void tst_Labs::gatewayOnlyInStep11()
{
    Driver driver;
    QVERIFY(driver.open());
    QVERIFY(driver.runSolutions(1, 11));
    std::map<int, std::vector<ProbeRecord>> byStep;
    for (const auto &observed : driver.all<events::ProbeObserved>()) {
        byStep[observed.probe.step].push_back(observed.probe);
    }
    QVERIFY(!byStep[10].empty());
    for (const ProbeRecord &probe : byStep[10]) {
        QCOMPARE(QString::fromStdString(probe.outcome), QStringLiteral("connected"));
        QVERIFY2(!viaGateway(probe), probe.path.c_str());
    }
    QCOMPARE(int(byStep[11].size()), 2); // telnet from busybox, redis-cli from redis-cart
    for (const ProbeRecord &probe : byStep[11]) {
        QVERIFY2(viaGateway(probe), probe.path.c_str());
    }
    QCOMPARE(QString::fromStdString(byStep[11][1].outcome), QStringLiteral("pong"));
}

void tst_Labs::jumpsMatchARunFromTheStart()
{
    Driver jumper;
    QVERIFY(jumper.open());
    for (const int step : {7, 4, 11}) {
        QVERIFY(jumper.jump(step));
        const std::string jumped = jumper.session.dumpState();
        Driver fresh;
        QVERIFY(fresh.open());
        if (step > 1) {
            QVERIFY(fresh.runSolutions(1, step - 1));
        }
        const std::string ran = fresh.session.dumpState();
        QVERIFY(!ran.empty());
        if (jumped != ran) {
            QCOMPARE(QString::fromStdString(jumped), QString::fromStdString(ran));
        }
        QCOMPARE(jumper.session.progress().currentStep, step);
    }
}

void tst_Labs::goldenTranscript()
{
    QTemporaryDir dir;
    const QString transcript = dir.filePath("transcript.txt");
    const auto run = meshcraft::tests::runMeshcraft(
        Binary, {"lab", "run", "egress-gateway", "--transcript", transcript}, {}, 180000);
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QCOMPARE(readText(transcript), run.out);
    const QString golden =
        QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/labs/egress-gateway.transcript");
    if (qEnvironmentVariableIsSet("MESHCRAFT_UPDATE_GOLDEN")) {
        QFile out(golden);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(run.out.toUtf8());
    }
    const QStringList expected = readText(golden).split('\n');
    const QStringList actual = run.out.split('\n');
    QCOMPARE(actual, expected);
    // What the issue promises the transcript shows.
    QVERIFY(run.out.contains("Connected to 10.59.118.59\n"));
    QVERIFY(run.out.contains("Connected to 10.59.118.59\nConnection closed by foreign host"));
    QVERIFY(run.out.contains("REDIS_ENDPOINT is not a valid IP"));
    QVERIFY(run.out.contains("11 of 11 steps passed"));
}

void tst_Labs::untilSevenAndSix()
{
    const auto seven = meshcraft::tests::runMeshcraft(
        Binary, {"lab", "run", "egress-gateway", "--until", "7"}, {}, 180000);
    QVERIFY2(seven.exitCode == 0, qPrintable(seven.out + seven.err));
    QVERIFY(seven.out.contains("  PASS telnet-blackholed\n"));
    QVERIFY(seven.out.contains("busybox.default -> BlackHoleCluster -> closed UH"));
    QVERIFY(seven.out.contains("step 7 passed: Watch the connection being closed\n"));
    QVERIFY(seven.out.contains("step 8 not attempted"));

    const auto six = meshcraft::tests::runMeshcraft(
        Binary, {"lab", "run", "egress-gateway", "--until", "6"}, {}, 180000);
    QVERIFY2(six.exitCode == 0, qPrintable(six.out + six.err));
    QVERIFY(six.out.contains("step 7 not attempted: Watch the connection being closed\n"));
    QVERIFY(!six.out.contains("telnet-blackholed"));
}

void tst_Labs::scriptedShellReproducesTheLab()
{
    QTemporaryDir home;
    const QByteArray script =
        "gcloud services enable redis.googleapis.com\n"
        "gcloud redis instances create redis-cart --size=1 --region=$REGION_ID --zone=$ZONE_ID "
        "--redis-version=redis_4_0\n"
        "gcloud redis instances describe redis-cart --region=$REGION_ID\n"
        "kubectl apply -f <(istioctl kube-inject -f "
        "$WORKSHOP_HOME/istio-workshop-labs/busybox.yaml)\n"
        "kubectl exec -it busybox /bin/sh -n default\n"
        "telnet 10.59.118.59 6379\n"
        "PING\n"
        "\x1d\n"
        "e\n"
        "exit\n"
        "sed -i 's/redis-cart:6379/10.59.118.59:6379/' "
        "$WORKSHOP_HOME/istio-workshop-labs/cartservice-deployment.yaml\n"
        "kubectl replace -f <(istioctl kube-inject -f "
        "$WORKSHOP_HOME/istio-workshop-labs/cartservice-deployment.yaml)\n"
        "helm upgrade --reuse-values --set global.outboundTrafficPolicy.mode=REGISTRY_ONLY istio "
        "$WORKSHOP_HOME/istio-$ISTIO_VERSION/install/kubernetes/helm/istio\n"
        "kubectl exec -it busybox /bin/sh -n default\n"
        "telnet 10.59.118.59 6379\n"
        "exit\n"
        "kubectl apply -f $WORKSHOP_HOME/istio-workshop-labs/redis-serviceentry.yaml\n"
        "sed -i 's/REDIS_ENDPOINT/10.59.118.59/' "
        "$WORKSHOP_HOME/istio-workshop-labs/redis-serviceentry.yaml\n"
        "kubectl apply -f $WORKSHOP_HOME/istio-workshop-labs/redis-serviceentry.yaml\n"
        "kubectl exec -it busybox /bin/sh -n default\n"
        "telnet 10.59.118.59 6379\n"
        "PING\n"
        "\x1d\n"
        "e\n"
        "exit\n"
        "sed -i 's/REDIS_ENDPOINT/10.59.118.59/' "
        "$WORKSHOP_HOME/istio-workshop-labs/redis-egress.yaml\n"
        "kubectl apply -f $WORKSHOP_HOME/istio-workshop-labs/redis-egress.yaml\n"
        "istioctl analyze\n"
        "kubectl exec -it busybox /bin/sh -n default\n"
        "telnet 10.59.118.59 6379\n"
        "PING\n"
        "\x1d\n"
        "e\n"
        "exit\n"
        "helm upgrade --reuse-values -f "
        "$WORKSHOP_HOME/istio-workshop-labs/egressgateway-redis-values.yaml istio "
        "$WORKSHOP_HOME/istio-$ISTIO_VERSION/install/kubernetes/helm/istio\n"
        "kubectl apply -f $WORKSHOP_HOME/istio-workshop-labs/redis-egress-route.yaml\n"
        "kubectl exec -it busybox /bin/sh -n default\n"
        "telnet 10.59.118.59 6379\n"
        "PING\n"
        "\x1d\n"
        "e\n"
        "exit\n"
        "kubectl exec -it deploy/redis-cart -- redis-cli -h 10.59.118.59 ping\n";
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", home.path());
    process.setProcessEnvironment(env);
    process.start(Binary, {"lab", "shell", "egress-gateway", "--no-save", "--checks"});
    QVERIFY(process.waitForStarted());
    process.write(script);
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(180000));
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(process.exitCode() == 0, qPrintable(out + err));
    QVERIFY(out.contains("Connected to 10.59.118.59"));
    QVERIFY(out.contains("Connection closed by foreign host"));
    QVERIFY(err.contains("REDIS_ENDPOINT is not a valid IP"));
    QVERIFY(out.contains("PONG"));
    QVERIFY(!out.contains("FAIL "));
    for (int step = 1; step <= 11; ++step) {
        QVERIFY2(out.contains(QString("-- step %1 checks\n").arg(step)), qPrintable(out));
    }
}

void tst_Labs::tunnelWithRealRedisCli_data()
{
    QTest::addColumn<QString>("until");
    QTest::addColumn<bool>("pong");
    QTest::addRow("until-8-registered") << "8" << true;
    QTest::addRow("until-7-blackholed") << "7" << false;
}

void tst_Labs::tunnelWithRealRedisCli()
{
    QFETCH(QString, until);
    QFETCH(bool, pong);
    QVERIFY2(QFile::exists("/usr/bin/redis-cli"), "redis-tools is part of the set-up");
    QProcess tunnel;
    tunnel.start(Binary, {"tunnel", "egress-gateway", "--from", "busybox", "--to",
                          "10.59.118.59:6379", "--listen", "127.0.0.1:0", "--until", until});
    QVERIFY(tunnel.waitForStarted());
    QString line;
    QElapsedTimer waited;
    waited.start();
    while (!line.contains("listening on") && waited.elapsed() < 120000 &&
           tunnel.state() == QProcess::Running) {
        tunnel.waitForReadyRead(1000);
        line += QString::fromUtf8(tunnel.readAllStandardOutput());
    }
    const QRegularExpression listening("listening on 127\\.0\\.0\\.1:(\\d+)");
    const auto match = listening.match(line);
    QVERIFY2(match.hasMatch(), qPrintable(line));

    QProcess client;
    client.start("/usr/bin/redis-cli", {"-p", match.captured(1), "ping"});
    QVERIFY(client.waitForFinished(30000));
    const QString answer =
        QString::fromUtf8(client.readAllStandardOutput() + client.readAllStandardError());
    if (pong) {
        QCOMPARE(answer.trimmed(), QStringLiteral("PONG"));
    } else {
        QVERIFY2(answer.contains("Error: Server closed the connection") ||
                     answer.contains("Error: Connection reset by peer"),
                 qPrintable(answer));
    }
    ::kill(static_cast<pid_t>(tunnel.processId()), SIGTERM);
    QVERIFY(tunnel.waitForFinished(30000));
    QCOMPARE(tunnel.exitStatus(), QProcess::NormalExit);
    QCOMPARE(tunnel.exitCode(), 0);
}

void tst_Labs::tunnelRefusesNonLoopback()
{
    const auto run = meshcraft::tests::runMeshcraft(Binary, {"tunnel", "egress-gateway", "--from",
                                                             "busybox", "--to", "10.59.118.59:6379",
                                                             "--listen", "0.0.0.0:16379"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains("loopback"));
}

void tst_Labs::saveRestoreAndLock()
{
    QTemporaryDir state;
    SessionOptions options = headless();
    options.persist = true;
    options.stateDir = state.path().toStdString();
    const std::string edited = "# my own notes\n";
    {
        Driver first(options);
        QVERIFY(first.open());
        QVERIFY(first.jump(4));
        first.session.writeFile("notes.txt", edited);
        QVERIFY(first.check(4).results.size() == 2); // a failed Check, kept with the progress
        const std::size_t from = first.mark();
        QVERIFY(first.waitFor<events::Saved>(from, [](const auto &) { return true; }));

        // A second session of the same lab is refused the lock and saves nothing.
        Driver second(options);
        const std::size_t opened = second.mark();
        second.session.open(EgressLab.toStdString());
        QVERIFY(second.waitFor<events::LabLocked>(opened, [](const auto &) { return true; }));
    }
    const auto path = Session::progressPath(options.stateDir, "egress-gateway");
    const auto text = common::readFile(path.string());
    QVERIFY(text);
    const auto saved = parseProgress(*text);
    QVERIFY(saved);
    QCOMPARE(saved->version, SavedProgress::CurrentVersion);
    QCOMPARE(saved->currentStep, 4);
    QCOMPARE(saved->steps[3].failedChecks, 1);
    QCOMPARE(saved->steps[2].state, std::string("passed"));

    Driver resumed(options);
    const std::size_t from = resumed.mark();
    resumed.session.open(EgressLab.toStdString());
    const auto opened = resumed.waitFor<events::LabOpened>(from, [](const auto &) { return true; });
    QVERIFY(opened);
    QVERIFY(opened->resumed);
    QCOMPARE(resumed.session.progress().currentStep, 4);
    QCOMPARE(resumed.session.progress().stepsPassed, 3);
    QCOMPARE(resumed.session.steps()[3].failedChecks, 1);
    QCOMPARE(resumed.session.readFile("notes.txt"), std::optional<std::string>(edited));

    // Revert restores the lab's original (a file the lab does not ship is removed).
    resumed.session.writeFile("busybox.yaml", "broken\n");
    resumed.session.revertFile("busybox.yaml");
    resumed.session.waitIdle(10s);
    QTRY_VERIFY_WITH_TIMEOUT(
        resumed.session.readFile("busybox.yaml").value_or("").find("kind: Pod") !=
            std::string::npos,
        5000);
}

void tst_Labs::labResetForgetsProgress()
{
    QTemporaryDir home;
    const auto dir = std::filesystem::path(home.path().toStdString()) / "meshcraft" / "labs";
    const auto path = Session::progressPath(dir, "egress-gateway");
    SavedProgress progress;
    progress.labId = "egress-gateway";
    progress.currentStep = 5;
    QVERIFY(writeFileAtomically(path, serializeProgress(progress)));
    QVERIFY(std::filesystem::exists(path));
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", home.path());
    process.setProcessEnvironment(env);
    {
        // Held by another session: refused.
        auto lock = LabLock::acquire(dir / "egress-gateway" / "lock");
        QVERIFY(lock);
        process.start(Binary, {"lab", "reset", "egress-gateway"});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 1);
        QVERIFY(std::filesystem::exists(path));
    }
    process.start(Binary, {"lab", "reset", "egress-gateway"});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(!std::filesystem::exists(path));
}

void tst_Labs::hintLadder()
{
    Driver driver;
    QVERIFY(driver.open());
    QVERIFY(driver.jump(4));
    const auto hint = [&](int rung) {
        const std::size_t from = driver.mark();
        driver.session.nextHint(4);
        return driver.waitFor<events::HintReleased>(
            from, [rung](const auto &h) { return h.rung == rung; }, 5s);
    };
    // The first rung is there at once; the second needs a failed Check.
    const auto first = hint(1);
    QVERIFY(first);
    QVERIFY(first->markdown.find("injected first") != std::string::npos);
    const std::size_t from = driver.mark();
    driver.session.nextHint(4);
    QVERIFY(driver.waitFor<events::Error>(
        from, [](const auto &) { return true; }, 5s));
    QVERIFY(!driver.check(4).passed);
    const auto second = hint(2);
    QVERIFY(second);
    QVERIFY(!driver.check(4).passed);
    const auto third = hint(3);
    QVERIFY(third);
    // ${REDIS_ADDR} is filled in.
    QVERIFY2(third->markdown.find("telnet 10.59.118.59 6379") != std::string::npos,
             third->markdown.c_str());
    QCOMPARE(driver.session.steps()[3].hintsShown, 3);
    QCOMPARE(driver.session.steps()[3].failedChecks, 2);
}

void tst_Labs::eventsAreOrderedWithoutGaps()
{
    Driver driver;
    QVERIFY(driver.open());
    QVERIFY(driver.runSolutions(1, 5));
    std::uint64_t expected = 1;
    const std::size_t count = driver.mark();
    // Every event has the next sequence number, whatever thread it came from.
    bool ordered = true;
    for (const Event &event : driver.allEvents()) {
        ordered = ordered && event.sequence == expected++;
    }
    QVERIFY(ordered);
    QVERIFY(count > 20);
    QVERIFY(!driver.all<events::Connection>().empty());
    QVERIFY(!driver.all<events::StoreChanged>().empty());
    QVERIFY(!driver.all<events::ConfigPushed>().empty());
    QVERIFY(!driver.all<events::CartStatsChanged>().empty());
    QVERIFY(!driver.all<events::InstanceChanged>().empty());
    const auto topology = driver.session.topology();
    QVERIFY(topology);
    const bool busybox =
        std::any_of(topology->pods.begin(), topology->pods.end(), [](const auto &p) {
            return p.name == "busybox" && p.sidecar && !p.ip.empty();
        });
    QVERIFY(busybox);
    QCOMPARE(QString::fromStdString(topology->instances.at(0).host),
             QStringLiteral("10.59.118.59"));
    const auto proxies = driver.session.proxies();
    QVERIFY(std::any_of(proxies.begin(), proxies.end(),
                        [](const ProxySummary &p) { return p.proxyId == "busybox.default"; }));
    const std::size_t from = driver.mark();
    driver.session.requestProxyDetails("busybox.default", 42);
    const auto details = driver.waitFor<events::ProxyDetailsReady>(
        from, [](const auto &d) { return d.requestId == 42; });
    QVERIFY(details);
    QVERIFY(details->details.clusters.find("PassthroughCluster") != std::string::npos);
}

void tst_Labs::analyzeOnTopOfTheLab()
{
    const auto run = meshcraft::tests::runMeshcraft(
        Binary, {"analyze", "--lab", "egress-gateway", "--until", "9", "/dev/null"}, {}, 120000);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("Warning [IST0162] (Gateway default/istio-egressgateway)"),
             qPrintable(run.out + run.err));
    const auto before = meshcraft::tests::runMeshcraft(
        Binary, {"analyze", "--lab", "egress-gateway", "--until", "8", "/dev/null"}, {}, 120000);
    QVERIFY(!before.out.contains("IST0162"));
}

QTEST_APPLESS_MAIN(tst_Labs)
#include "tst_labs.moc"
