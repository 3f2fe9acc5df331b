// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cloud/memorystore.h"
#include "core/cloud/redis_process.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <arpa/inet.h>
#include <atomic>
#include <mutex>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>

using namespace meshcraft::core;
using namespace meshcraft::core::cloud;

namespace {

// 2019-09-22T21:19:21.595361397Z: the workshop's own instance (tool-outputs.md §1.2, §1.3).
constexpr long long WorkshopTimeNs = 1569187161595361397LL;

std::chrono::system_clock::time_point workshopTime()
{
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(WorkshopTimeNs)));
}

MemorystoreConfig testConfig()
{
    MemorystoreConfig config;
    config.project = "meshcraft-lab";
    config.projectNumber = "318472609151";
    config.clock = workshopTime;
    config.seed = 42;
    config.launch.readyTimeout = std::chrono::milliseconds(10000);
    return config;
}

CreateInstanceRequest workshopRequest()
{
    CreateInstanceRequest request;
    request.name = "redis-cart";
    request.region = "europe-west1";
    request.zone = "europe-west1-b";
    request.sizeGb = 1;
    request.redisVersion = "redis_4_0";
    request.reservedIpRange = "10.59.118.56/29";
    return request;
}

/// Sends raw RESP and reads until `replyLines` CRLF-terminated lines arrived (or a timeout).
QByteArray redisRoundTrip(std::uint16_t port, const QByteArray &request, int replyLines)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return {};
    }
    timeval tv{};
    tv.tv_sec = 5;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QByteArray reply;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
        ::send(fd, request.constData(), static_cast<size_t>(request.size()), MSG_NOSIGNAL) ==
            request.size()) {
        char buffer[4096];
        while (reply.count("\r\n") < replyLines) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                break;
            }
            reply.append(buffer, static_cast<int>(n));
        }
    }
    ::close(fd);
    return reply;
}

bool portAcceptsConnections(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected =
        ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

/// True while `pid` exists and is not a zombie (an unreaped zombie no longer runs).
bool processAlive(int pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QByteArray text = stat.readAll();
    const auto paren = text.lastIndexOf(')');
    if (paren < 0 || paren + 2 >= text.size()) {
        return false;
    }
    const char state = text.at(paren + 2);
    return state != 'Z' && state != 'X';
}

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

class RecordingObserver : public MemorystoreObserver
{
public:
    // Interface
    void onInstanceChanged(InstanceChange change, const Instance &instance) override
    {
        std::lock_guard lock(m_mutex);
        const char *name = change == InstanceChange::Created ? "created"
                           : change == InstanceChange::Ready ? "ready"
                                                             : "deleted";
        m_events << QStringLiteral("%1 %2 %3 %4")
                        .arg(QLatin1String(name), qs(instance.name), qs(instance.host),
                             QLatin1String(instanceStateName(instance.state)));
    }

    QStringList events() const
    {
        std::lock_guard lock(m_mutex);
        return m_events;
    }

private:
    mutable std::mutex m_mutex;
    QStringList m_events;
};

} // namespace

class tst_Cloud : public QObject
{
    Q_OBJECT

private slots:
    void findRedisServer_data();
    void findRedisServer();
    void redisProcessServesAndStops();
    void serverOutlivesTheThreadThatAskedForIt();
    void brokenServerFails_data();
    void brokenServerFails();
    void missingBinaryFailsCreate();
    void enableService();
    void apiNotEnabled_data();
    void apiNotEnabled();
    void invalidCreate_data();
    void invalidCreate();
    void instanceLifecycle();
    void duplicateName();
    void notFound_data();
    void notFound();
    void derivedAddressesAreDeterministic();
    void operationNamesAreDeterministic();
    void destructorStopsServers();
    void concurrentCreatesAndReads();
    void noOrphanAfterSigkill();
};

void tst_Cloud::findRedisServer_data()
{
    QTest::addColumn<QStringList>("present");
    QTest::addColumn<QString>("expectedName");
    QTest::addRow("nothing-installed") << QStringList{} << QString();
    QTest::addRow("redis-tools-only") << QStringList{"redis-check-rdb"} << "redis-check-rdb";
    QTest::addRow("redis-server-package")
        << QStringList{"redis-check-rdb", "redis-server"} << "redis-server";
}

void tst_Cloud::findRedisServer()
{
    QFETCH(QStringList, present);
    QFETCH(QString, expectedName);
    QTemporaryDir first;
    QTemporaryDir second;
    QVERIFY(first.isValid() && second.isValid());
    // redis-server sits in a later PATH entry than redis-check-rdb: it must still win.
    for (const QString &name : present) {
        const QString dir = name == "redis-server" ? second.path() : first.path();
        QFile script(dir + "/" + name);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\n");
        script.close();
        QVERIFY(script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }
    const std::string path = (first.path() + ":" + second.path()).toStdString();
    const auto found = cloud::findRedisServer(path);
    if (expectedName.isEmpty()) {
        QVERIFY(!found);
        QCOMPARE(qs(found.error().code), QString(errors::RedisNotInstalled));
        QVERIFY2(qs(found.error().message).contains("apt-get install redis-tools"),
                 qPrintable(qs(found.error().message)));
        return;
    }
    QVERIFY2(found, qPrintable(qs(found ? std::string() : found.error().message)));
    QVERIFY(qs(found->path).endsWith("/" + expectedName));
    QCOMPARE(found->isCheckRdb, expectedName == "redis-check-rdb");
}

void tst_Cloud::redisProcessServesAndStops()
{
    auto process = RedisProcess::start();
    QVERIFY2(process, qPrintable(qs(process ? std::string() : process.error().message)));
    RedisProcess &redis = **process;
    QVERIFY(redis.port() != 0 && redis.port() != 6379);
    QVERIFY(redis.isRunning());
    QVERIFY(processAlive(redis.pid()));
    QVERIFY(qs(redis.serverVersion()).contains(QRegularExpression("^\\d+\\.\\d+\\.\\d+$")));

    QCOMPARE(redisRoundTrip(redis.port(), "*1\r\n$4\r\nPING\r\n", 1), QByteArray("+PONG\r\n"));
    QCOMPARE(redisRoundTrip(redis.port(), "*3\r\n$3\r\nSET\r\n$4\r\ncart\r\n$5\r\napple\r\n", 1),
             QByteArray("+OK\r\n"));
    QCOMPARE(redisRoundTrip(redis.port(), "*2\r\n$3\r\nGET\r\n$4\r\ncart\r\n", 2),
             QByteArray("$5\r\napple\r\n"));
    // Started as asked: no persistence, loopback only, protected mode, a bounded maxclients.
    QCOMPARE(redisRoundTrip(redis.port(), "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nsave\r\n", 5),
             QByteArray("*2\r\n$4\r\nsave\r\n$0\r\n\r\n"));
    QCOMPARE(redisRoundTrip(redis.port(),
                            "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$14\r\nprotected-mode\r\n", 5),
             QByteArray("*2\r\n$14\r\nprotected-mode\r\n$3\r\nyes\r\n"));
    QCOMPARE(redisRoundTrip(redis.port(), "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nbind\r\n", 5),
             QByteArray("*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n"));
    QVERIFY(pingRedis(redis.port(), std::chrono::milliseconds(2000)));
    QVERIFY(qs(redis.logText()).contains("Ready to accept connections"));
    QVERIFY(QFile::exists(qs(redis.logPath())));

    const int pid = redis.pid();
    const std::uint16_t port = redis.port();
    redis.stop();
    QCOMPARE(redis.pid(), 0);
    QVERIFY(!redis.isRunning());
    QVERIFY(!processAlive(pid)); // stop() reaps before it returns
    QVERIFY(!portAcceptsConnections(port));
    redis.stop(); // idempotent
}

void tst_Cloud::serverOutlivesTheThreadThatAskedForIt()
{
    // The parent-death signal follows the thread that forked. Servers are forked by the
    // long-lived spawner thread, so a short-lived caller thread ending must not kill them.
    common::Result<std::unique_ptr<RedisProcess>> started =
        common::fail("unset", "the thread did not run");
    std::thread caller([&] { started = RedisProcess::start(); });
    caller.join();
    QVERIFY2(started, qPrintable(qs(started ? std::string() : started.error().message)));
    QVERIFY(processAlive((*started)->pid()));
    QVERIFY(pingRedis((*started)->port(), std::chrono::milliseconds(2000)));
}

void tst_Cloud::brokenServerFails_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("messagePart");
    QTest::addRow("exits-at-start")
        << QByteArray("echo \"cannot start, boom\" >&2\nexit 1\n") << errors::RedisStartFailed
        << "exited at start. Its log ends with:\ncannot start, boom";
    QTest::addRow("never-answers")
        << QByteArray("echo listening soon\nexec sleep 30\n") << errors::RedisNotReady
        << "did not answer PING within 300 ms. Its log ends "
           "with:\nlistening soon";
}

void tst_Cloud::brokenServerFails()
{
    QFETCH(QByteArray, script);
    QFETCH(QString, code);
    QFETCH(QString, messagePart);
    QTemporaryDir bin;
    QFile server(bin.path() + "/redis-server");
    QVERIFY(server.open(QIODevice::WriteOnly));
    server.write("#!/bin/sh\n" + script);
    server.close();
    QVERIFY(server.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

    QTemporaryDir runtime;
    RedisLaunchOptions options;
    options.searchPath = bin.path().toStdString();
    options.runtimeDir = runtime.path().toStdString();
    options.readyTimeout = std::chrono::milliseconds(300);
    const auto started = RedisProcess::start(options);
    QVERIFY(!started);
    QCOMPARE(qs(started.error().code), code);
    QVERIFY2(qs(started.error().message).contains(messagePart),
             qPrintable(qs(started.error().message)));
    // Nothing is left behind: the directory is removed, and the process was reaped.
    QCOMPARE(QDir(runtime.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
             QStringList());
}

void tst_Cloud::missingBinaryFailsCreate()
{
    QTemporaryDir empty;
    MemorystoreConfig config = testConfig();
    config.launch.searchPath = empty.path().toStdString();
    Memorystore store(config);
    RecordingObserver observer;
    store.addObserver(&observer);
    QVERIFY(store.enableService(RedisApi));

    const auto created = store.createInstance(workshopRequest());
    QVERIFY(!created);
    QCOMPARE(qs(created.error().code), QString(errors::RedisNotInstalled));
    QCOMPARE(qs(created.error().message),
             "ERROR: (gcloud.redis.instances.create) redis-server is not installed: neither "
             "redis-server nor redis-check-rdb was found on PATH. Install it with: apt-get "
             "install redis-tools");
    QVERIFY(store.allInstances().empty());
    QCOMPARE(observer.events(), (QStringList{"created redis-cart 10.59.118.59 CREATING",
                                             "deleted redis-cart 10.59.118.59 CREATING"}));
}

void tst_Cloud::enableService()
{
    Memorystore store(testConfig());
    QVERIFY(!store.isServiceEnabled(RedisApi));
    const auto first = store.enableService(RedisApi);
    QVERIFY(first);
    QVERIFY(store.isServiceEnabled(RedisApi));
    QVERIFY2(qs(first->err)
                 .contains(QRegularExpression(
                     "^Operation \"operations/acf\\.p2-318472609151-[0-9a-f]{8}-[0-9a-f]{4}-"
                     "[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\" finished successfully\\.\n$")),
             qPrintable(qs(first->err)));
    QCOMPARE(first->exitCode, 0);

    const auto again = store.enableService(RedisApi);
    QVERIFY(again);
    QCOMPARE(qs(again->err), QString()); // already enabled: gcloud prints nothing
    QCOMPARE(qs(again->out), QString());

    const auto unknown = store.enableService("redis");
    QVERIFY(!unknown);
    QCOMPARE(qs(unknown.error().code), QString(errors::UnknownService));
    QCOMPARE(store.enabledServices(), std::vector<std::string>{RedisApi});
}

void tst_Cloud::apiNotEnabled_data()
{
    QTest::addColumn<QString>("command");
    QTest::addRow("create-before-enable") << "create";
    QTest::addRow("describe-before-enable") << "describe";
    QTest::addRow("list-before-enable") << "list";
    QTest::addRow("delete-before-enable") << "delete";
}

void tst_Cloud::apiNotEnabled()
{
    QFETCH(QString, command);
    Memorystore store(testConfig());
    common::Error error;
    if (command == "create") {
        error = store.createInstance(workshopRequest()).error();
    } else if (command == "describe") {
        error = store.describeInstance("redis-cart", "europe-west1").error();
    } else if (command == "list") {
        error = store.listInstances("europe-west1").error();
    } else {
        error = store.deleteInstance("redis-cart", "europe-west1").error();
    }
    QCOMPARE(qs(error.code), QString(errors::ApiNotEnabled));
    const QString expected =
        "ERROR: (gcloud.redis.instances." + command +
        ") PERMISSION_DENIED: Google Cloud Memorystore for Redis API has not been used in "
        "project 318472609151 before or it is disabled. Enable it by visiting "
        "https://console.developers.google.com/apis/api/redis.googleapis.com/"
        "overview?project=318472609151 then retry. If you enabled this API recently, wait a "
        "few minutes for the action to propagate to our systems and retry. This command is "
        "authenticated as learner@example.com which is the active account specified by the "
        "[core/account] property.\n"
        "- '@type': type.googleapis.com/google.rpc.ErrorInfo\n"
        "  domain: googleapis.com\n"
        "  metadata:\n"
        "    consumer: projects/318472609151\n"
        "    service: redis.googleapis.com\n"
        "  reason: SERVICE_DISABLED";
    QCOMPARE(qs(error.message), expected);
    const GcloudOutput output = renderError(error);
    QCOMPARE(output.exitCode, 1);
    QCOMPARE(qs(output.err), expected + "\n");
    QVERIFY(store.allInstances().empty());
}

void tst_Cloud::invalidCreate_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    const QString prefix = "ERROR: (gcloud.redis.instances.create) ";
    const QString invalid = prefix + "INVALID_ARGUMENT: Request contains an invalid argument.";
    QTest::addRow("version-without-close-match")
        << "redisVersion"
        << "latest" << errors::InvalidChoice << 2
        << prefix + "argument --redis-version: Invalid choice: 'latest'.\n\nValid choices are "
                    "[redis_3_2, redis_4_0, redis_5_0, redis_6_x, redis_7_0, redis_7_2].";
    QTest::addRow("version-close-match")
        << "redisVersion"
        << "redis_4" << errors::InvalidChoice << 2
        << prefix + "argument --redis-version: Invalid choice: 'redis_4'. Did you mean "
                    "'redis_4_0'?\nUsage: gcloud redis instances create (INSTANCE : "
                    "--region=REGION) [optional flags]";
    QTest::addRow("version-tie-goes-to-greatest")
        << "redisVersion"
        << "redis_8_0" << errors::InvalidChoice << 2
        << prefix + "argument --redis-version: Invalid choice: 'redis_8_0'. Did you mean "
                    "'redis_7_0'?\nUsage: gcloud redis instances create (INSTANCE : "
                    "--region=REGION) [optional flags]";
    QTest::addRow("tier-typo") << "tier"
                               << "standrd" << errors::InvalidChoice << 2
                               << prefix + "argument --tier: Invalid choice: 'standrd'. Did you "
                                           "mean 'standard'?\nUsage: gcloud redis instances "
                                           "create (INSTANCE : --region=REGION) [optional flags]";
    QTest::addRow("missing-region")
        << "region"
        << "" << errors::MissingRegion << 1
        << prefix + "Error parsing [instance].\nThe [instance] resource is not properly "
                    "specified.\nFailed to find attribute [region]. The attribute can be set in "
                    "the following ways: \n- provide the argument `--region` on the command "
                    "line\n- set the property `redis/region`";
    QTest::addRow("size-zero") << "size"
                               << "0" << errors::InvalidArgument << 1 << invalid;
    QTest::addRow("size-above-basic-maximum") << "size"
                                              << "301" << errors::InvalidArgument << 1 << invalid;
    QTest::addRow("name-with-capitals") << "name"
                                        << "Redis" << errors::InvalidArgument << 1 << invalid;
    QTest::addRow("zone-outside-region")
        << "zone"
        << "us-central1-a" << errors::InvalidArgument << 1 << invalid;
    QTest::addRow("range-not-a-29") << "range"
                                    << "10.59.118.0/24" << errors::InvalidArgument << 1 << invalid;
    QTest::addRow("range-not-aligned")
        << "range"
        << "10.59.118.57/29" << errors::InvalidArgument << 1 << invalid;
}

void tst_Cloud::invalidCreate()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, code);
    QFETCH(int, exitCode);
    QFETCH(QString, message);

    Memorystore store(testConfig());
    QVERIFY(store.enableService(RedisApi));
    CreateInstanceRequest request = workshopRequest();
    const std::string text = value.toStdString();
    if (field == "redisVersion") {
        request.redisVersion = text;
    } else if (field == "tier") {
        request.tier = text;
    } else if (field == "region") {
        request.region = text;
    } else if (field == "size") {
        request.sizeGb = value.toInt();
    } else if (field == "name") {
        request.name = text;
    } else if (field == "zone") {
        request.zone = text;
    } else {
        request.reservedIpRange = text;
    }
    const auto created = store.createInstance(request);
    QVERIFY(!created);
    QCOMPARE(qs(created.error().code), code);
    QCOMPARE(qs(created.error().message), message);
    QCOMPARE(gcloudExitCode(created.error()), exitCode);
    QVERIFY(store.allInstances().empty());
}

void tst_Cloud::instanceLifecycle()
{
    Memorystore store(testConfig());
    RecordingObserver observer;
    store.addObserver(&observer);
    QVERIFY(store.enableService(RedisApi));
    CreateInstanceRequest request = workshopRequest();
    request.redisVersion = "REDIS_4_0"; // either case is accepted

    const auto created = store.createInstance(request);
    QVERIFY2(created, qPrintable(qs(created ? std::string() : created.error().message)));
    const Instance &instance = created->instance;
    QCOMPARE(instance.state, InstanceState::Ready);
    QCOMPARE(qs(instance.host), "10.59.118.59");
    QCOMPARE(instance.hostIp, (10U << 24) | (59U << 16) | (118U << 8) | 59U);
    QCOMPARE(qs(instance.redisVersion), "REDIS_4_0");
    QVERIFY(instance.loopbackPort != 0 && instance.loopbackPort != 6379);
    QVERIFY(processAlive(instance.serverPid));
    QCOMPARE(observer.events(), (QStringList{"created redis-cart 10.59.118.59 CREATING",
                                             "ready redis-cart 10.59.118.59 READY"}));

    // The address map's lookup: the VPC address leads to the real server.
    QCOMPARE(store.loopbackPortFor("10.59.118.59", 6379), instance.loopbackPort);
    QCOMPARE(store.loopbackPortFor("10.59.118.59", 6380), std::nullopt);
    QCOMPARE(store.loopbackPortFor("10.59.118.58", 6379), std::nullopt);

    QCOMPARE(redisRoundTrip(instance.loopbackPort, "*1\r\n$4\r\nPING\r\n", 1),
             QByteArray("+PONG\r\n"));
    QCOMPARE(redisRoundTrip(instance.loopbackPort,
                            "*3\r\n$3\r\nSET\r\n$8\r\nuser:ada\r\n$4\r\nsock\r\n", 1),
             QByteArray("+OK\r\n"));
    QCOMPARE(redisRoundTrip(instance.loopbackPort, "*2\r\n$3\r\nGET\r\n$8\r\nuser:ada\r\n", 2),
             QByteArray("$4\r\nsock\r\n"));

    const QString operation = qs(created->operationName);
    QVERIFY2(operation.contains(QRegularExpression(
                 "^projects/meshcraft-lab/locations/europe-west1/operations/"
                 "operation-1569187161595-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$")),
             qPrintable(operation));
    const GcloudOutput createOutput = renderCreate(*created);
    QCOMPARE(qs(createOutput.out), QString());
    QCOMPARE(qs(createOutput.err), "Create request issued for: [redis-cart]\n"
                                   "Waiting for operation [" +
                                       operation +
                                       "] to complete...done.\n"
                                       "Created instance [redis-cart].\n");

    const auto described = store.describeInstance("redis-cart", "europe-west1");
    QVERIFY(described);
    QCOMPARE(qs(renderDescribe(*described).out),
             "authorizedNetwork: projects/meshcraft-lab/global/networks/default\n"
             "connectMode: DIRECT_PEERING\n"
             "createTime: '2019-09-22T21:19:21.595361397Z'\n"
             "currentLocationId: europe-west1-b\n"
             "host: 10.59.118.59\n"
             "locationId: europe-west1-b\n"
             "memorySizeGb: 1\n"
             "name: projects/meshcraft-lab/locations/europe-west1/instances/redis-cart\n"
             "persistenceIamIdentity: "
             "serviceAccount:318472609151-compute@developer.gserviceaccount.com\n"
             "port: 6379\n"
             "redisVersion: REDIS_4_0\n"
             "reservedIpRange: 10.59.118.56/29\n"
             "state: READY\n"
             "tier: BASIC\n");

    const auto listed = store.listInstances("europe-west1");
    QVERIFY(listed);
    QCOMPARE(qs(renderList(*listed).out),
             "INSTANCE_NAME  REGION        TIER   SIZE_GB  HOST          PORT  NETWORK  "
             "RESERVED_IP      STATUS  CREATE_TIME\n"
             "redis-cart     europe-west1  BASIC  1        10.59.118.59  6379  default  "
             "10.59.118.56/29  READY   2019-09-22T21:19:21\n");
    QCOMPARE(store.listInstances("us-central1")->size(), std::size_t(0));
    QCOMPARE(store.listInstances("-")->size(), std::size_t(1));

    const int pid = instance.serverPid;
    const std::uint16_t port = instance.loopbackPort;
    const auto deleted = store.deleteInstance("redis-cart", "europe-west1");
    QVERIFY2(deleted, qPrintable(qs(deleted ? std::string() : deleted.error().message)));
    QCOMPARE(qs(renderDelete(*deleted).err), "Delete request issued for: [redis-cart]\n"
                                             "Waiting for operation [" +
                                                 qs(deleted->operationName) +
                                                 "] to complete...done.\n"
                                                 "Deleted instance [redis-cart].\n");
    QVERIFY(deleted->operationName != created->operationName);
    QVERIFY(!processAlive(pid)); // deleteInstance stops and reaps before it returns
    QVERIFY(!portAcceptsConnections(port));
    QCOMPARE(store.loopbackPortFor("10.59.118.59", 6379), std::nullopt);
    QCOMPARE(observer.events().last(), "deleted redis-cart 10.59.118.59 DELETING");

    const auto empty = store.listInstances("europe-west1");
    QVERIFY(empty);
    const GcloudOutput listOutput = renderList(*empty);
    QCOMPARE(qs(listOutput.out), QString());
    QCOMPARE(qs(listOutput.err), "Listed 0 items.\n");
    store.removeObserver(&observer);
}

void tst_Cloud::duplicateName()
{
    Memorystore store(testConfig());
    QVERIFY(store.enableService(RedisApi));
    QVERIFY(store.createInstance(workshopRequest()));
    CreateInstanceRequest again = workshopRequest();
    again.reservedIpRange.clear();
    const auto duplicate = store.createInstance(again);
    QVERIFY(!duplicate);
    QCOMPARE(qs(duplicate.error().code), QString(errors::AlreadyExists));
    QCOMPARE(qs(duplicate.error().message),
             "ERROR: (gcloud.redis.instances.create) ALREADY_EXISTS: Resource "
             "'projects/meshcraft-lab/locations/europe-west1/instances/redis-cart' already "
             "exists\n"
             "- '@type': type.googleapis.com/google.rpc.ResourceInfo\n"
             "  resourceName: projects/meshcraft-lab/locations/europe-west1/instances/redis-cart");
    QCOMPARE(store.allInstances().size(), std::size_t(1));

    // The same name in another region is another instance; a taken range is refused.
    CreateInstanceRequest elsewhere = workshopRequest();
    elsewhere.region = "us-central1";
    elsewhere.zone.clear();
    QVERIFY(!store.createInstance(elsewhere));
    elsewhere.reservedIpRange.clear();
    const auto second = store.createInstance(elsewhere);
    QVERIFY2(second, qPrintable(qs(second ? std::string() : second.error().message)));
    QCOMPARE(qs(second->instance.locationId), "us-central1-b");
    QVERIFY(second->instance.host != "10.59.118.59");
    QCOMPARE(store.allInstances().size(), std::size_t(2));
}

void tst_Cloud::notFound_data()
{
    QTest::addColumn<QString>("command");
    QTest::addRow("describe-unknown") << "describe";
    QTest::addRow("delete-unknown") << "delete";
}

void tst_Cloud::notFound()
{
    QFETCH(QString, command);
    Memorystore store(testConfig());
    QVERIFY(store.enableService(RedisApi));
    const common::Error error = command == "describe"
                                    ? store.describeInstance("redis-cat", "europe-west1").error()
                                    : store.deleteInstance("redis-cat", "europe-west1").error();
    QCOMPARE(qs(error.code), QString(errors::NotFound));
    QCOMPARE(qs(error.message),
             "ERROR: (gcloud.redis.instances." + command +
                 ") NOT_FOUND: Resource "
                 "'projects/meshcraft-lab/locations/europe-west1/instances/redis-cat' was not "
                 "found\n"
                 "- '@type': type.googleapis.com/google.rpc.ResourceInfo\n"
                 "  resourceName: projects/meshcraft-lab/locations/europe-west1/instances/"
                 "redis-cat");
}

void tst_Cloud::derivedAddressesAreDeterministic()
{
    auto createIn = [](const std::string &project, const std::string &name) {
        MemorystoreConfig config = testConfig();
        config.project = project;
        Memorystore store(config);
        store.enableService(RedisApi);
        CreateInstanceRequest request = workshopRequest();
        request.name = name;
        request.reservedIpRange.clear();
        auto created = store.createInstance(request);
        return created ? created->instance : Instance{};
    };
    const Instance first = createIn("meshcraft-lab", "redis-cart");
    const Instance again = createIn("meshcraft-lab", "redis-cart");
    const Instance otherName = createIn("meshcraft-lab", "redis-session");
    const Instance otherProject = createIn("another-lab", "redis-cart");
    QVERIFY(!first.host.empty());
    QCOMPARE(qs(again.host), qs(first.host));
    QCOMPARE(qs(again.reservedIpRange), qs(first.reservedIpRange));
    QVERIFY(otherName.host != first.host);
    QVERIFY(otherProject.host != first.host);

    // A /29 in 10.0.0.0/8, clear of the cluster's ranges, with the host at its base + 3.
    const QRegularExpression range("^10\\.(\\d+)\\.(\\d+)\\.(\\d+)/29$");
    for (const Instance &instance : {first, otherName, otherProject}) {
        const auto match = range.match(qs(instance.reservedIpRange));
        QVERIFY2(match.hasMatch(), instance.reservedIpRange.c_str());
        QVERIFY(match.captured(1).toInt() >= 32);
        QCOMPARE(match.captured(3).toInt() % 8, 0);
        QCOMPARE(qs(instance.host), QStringLiteral("10.%1.%2.%3")
                                        .arg(match.captured(1), match.captured(2))
                                        .arg(match.captured(3).toInt() + 3));
    }
}

void tst_Cloud::operationNamesAreDeterministic()
{
    QStringList names[2];
    for (QStringList &list : names) {
        Memorystore store(testConfig());
        store.enableService(RedisApi);
        const auto created = store.createInstance(workshopRequest());
        QVERIFY(created);
        list << qs(created->operationName);
        const auto deleted = store.deleteInstance("redis-cart", "europe-west1");
        QVERIFY(deleted);
        list << qs(deleted->operationName);
    }
    QCOMPARE(names[0], names[1]);
    QVERIFY(names[0][0] != names[0][1]);

    MemorystoreConfig other = testConfig();
    other.seed = 7;
    Memorystore store(other);
    store.enableService(RedisApi);
    const auto created = store.createInstance(workshopRequest());
    QVERIFY(created);
    QVERIFY(qs(created->operationName) != names[0][0]);
}

void tst_Cloud::destructorStopsServers()
{
    int pid = 0;
    std::uint16_t port = 0;
    {
        Memorystore store(testConfig());
        store.enableService(RedisApi);
        const auto created = store.createInstance(workshopRequest());
        QVERIFY(created);
        pid = created->instance.serverPid;
        port = created->instance.loopbackPort;
        QVERIFY(processAlive(pid));
    }
    QVERIFY(!processAlive(pid));
    QVERIFY(!portAcceptsConnections(port));
}

void tst_Cloud::concurrentCreatesAndReads()
{
    // Creates run in parallel (the spawner serialises only the forks) while readers keep
    // asking, as the UI and the address map would. TSan watches this one.
    Memorystore store(testConfig());
    RecordingObserver observer;
    store.addObserver(&observer);
    store.enableService(RedisApi);
    constexpr int Count = 4;
    std::atomic<bool> done{false};
    std::atomic<int> lookups{0};
    std::atomic<int> listFailures{0};
    std::thread reader([&] {
        while (!done.load()) {
            for (const Instance &instance : store.allInstances()) {
                if (store.loopbackPortFor(instance.host, 6379)) {
                    ++lookups;
                }
            }
            if (!store.listInstances("europe-west1")) {
                ++listFailures; // QVERIFY belongs to the test's own thread
            }
        }
    });
    std::vector<std::thread> creators;
    std::vector<std::string> failures(Count);
    for (int i = 0; i < Count; ++i) {
        creators.emplace_back([&, i] {
            CreateInstanceRequest request = workshopRequest();
            request.name = "redis-" + std::to_string(i);
            request.reservedIpRange.clear();
            const auto created = store.createInstance(request);
            if (!created) {
                failures[static_cast<std::size_t>(i)] = created.error().message;
            }
        });
    }
    for (std::thread &creator : creators) {
        creator.join();
    }
    for (const std::string &failure : failures) {
        QVERIFY2(failure.empty(), failure.c_str());
    }
    const std::vector<Instance> instances = store.allInstances();
    QCOMPARE(int(instances.size()), Count);
    QSet<QString> hosts;
    QSet<std::uint16_t> ports;
    for (const Instance &instance : instances) {
        QCOMPARE(instance.state, InstanceState::Ready);
        QVERIFY(pingRedis(instance.loopbackPort, std::chrono::milliseconds(2000)));
        hosts.insert(qs(instance.host));
        ports.insert(instance.loopbackPort);
    }
    QCOMPARE(int(hosts.size()), Count);
    QCOMPARE(int(ports.size()), Count);

    std::vector<std::thread> deleters;
    for (int i = 0; i < Count; ++i) {
        deleters.emplace_back(
            [&, i] { store.deleteInstance("redis-" + std::to_string(i), "europe-west1"); });
    }
    for (std::thread &deleter : deleters) {
        deleter.join();
    }
    done = true;
    reader.join();
    QCOMPARE(listFailures.load(), 0);
    QVERIFY(store.allInstances().empty());
    QCOMPARE(int(observer.events().size()), 3 * Count);
    for (const Instance &instance : instances) {
        QVERIFY(!processAlive(instance.serverPid));
    }
}

void tst_Cloud::noOrphanAfterSigkill()
{
    // The helper cannot clean up after SIGKILL: give it a directory of ours to leave things in.
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("TMPDIR", runtime.path());
    QProcess helper;
    helper.setProcessEnvironment(environment);
    helper.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    helper.start(QStringLiteral(CLOUD_ORPHAN_HELPER), QStringList{});
    QVERIFY2(helper.waitForStarted(10000), qPrintable(helper.errorString()));
    QByteArray line;
    while (!line.contains('\n')) {
        QVERIFY2(helper.waitForReadyRead(15000), "the helper printed no pid");
        line += helper.readAll();
    }
    const QRegularExpressionMatch match =
        QRegularExpression("^pid (\\d+) port (\\d+)\n").match(QString::fromLatin1(line));
    QVERIFY2(match.hasMatch(), line.constData());
    const int pid = match.captured(1).toInt();
    const auto port = static_cast<std::uint16_t>(match.captured(2).toUInt());
    QVERIFY(processAlive(pid));
    QVERIFY(pingRedis(port, std::chrono::milliseconds(2000)));

    helper.kill(); // SIGKILL: no destructor, no atexit, nothing of ours runs
    QVERIFY(helper.waitForFinished(10000));
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(pid), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!portAcceptsConnections(port), 5000);
}

QTEST_APPLESS_MAIN(tst_Cloud)
#include "tst_cloud.moc"
