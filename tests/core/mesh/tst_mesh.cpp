// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/address_map.h"
#include "core/mesh/capture.h"
#include "core/mesh/proxy_protocol.h"
#include "tests/support/echo_upstream.h"
#include "tests/support/redis_server.h"
#include "tests/support/tsan_qt_suppressions.h"

#include <QtTest>
#include <thread>

using namespace meshcraft::core::net;
using meshcraft::tests::EchoUpstream;

namespace {

constexpr std::uint32_t ipv4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (a << 24) | (b << 16) | (c << 8) | d;
}

const Address Pod{ipv4(10, 8, 1, 12), 41240};
const Address Memorystore{ipv4(10, 59, 118, 59), 6379};

std::vector<std::uint8_t> bytes(std::initializer_list<int> values)
{
    std::vector<std::uint8_t> out;
    for (int v : values) {
        out.push_back(static_cast<std::uint8_t>(v));
    }
    return out;
}

} // namespace

class tst_Mesh : public QObject
{
    Q_OBJECT

private slots:
    void proxyV2Encoding();
    void proxyV2RoundTrip_data();
    void proxyV2RoundTrip();
    void proxyV2Decode_data();
    void proxyV2Decode();
    void addressMapRoutes_data();
    void addressMapRoutes();
    void addressMapConcurrentReaders();
    void captureWithoutSidecar();
    void captureWithSidecarWritesHeader();
    void captureRefusedAndUnroutable();
};

void tst_Mesh::proxyV2Encoding()
{
    const auto encoded =
        encodeProxyV2({ProxyHeader::Command::Proxy, Pod, Memorystore, std::nullopt});
    // Signature, v2|PROXY, AF_INET|STREAM, length 12, then src ip, dst ip, src port, dst port.
    const auto expected =
        bytes({0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11,
               0x00, 0x0C, 10,   8,    1,    12,   10,   59,   118,  59,   0xA1, 0x18, 0x18, 0xEB});
    QCOMPARE(encoded, expected);
    const auto local = encodeProxyV2({ProxyHeader::Command::Local, {}, {}, std::nullopt});
    QCOMPARE(local.size(), std::size_t(16));
    QCOMPARE(int(local[12]), 0x20);
    QCOMPARE(int(local[13]), 0x00);
}

void tst_Mesh::proxyV2RoundTrip_data()
{
    QTest::addColumn<bool>("local");
    QTest::addColumn<bool>("withId");
    QTest::addRow("proxy") << false << false;
    QTest::addRow("proxy-with-connection-id-tlv") << false << true;
    QTest::addRow("local") << true << false;
}

void tst_Mesh::proxyV2RoundTrip()
{
    QFETCH(bool, local);
    QFETCH(bool, withId);
    ProxyHeader header{local ? ProxyHeader::Command::Local : ProxyHeader::Command::Proxy,
                       local ? Address{} : Pod, local ? Address{} : Memorystore, std::nullopt};
    if (withId) {
        header.connectionId = 0x0102030405060708ULL;
    }
    auto encoded = encodeProxyV2(header);
    const std::size_t headerSize = encoded.size();
    encoded.push_back('P'); // payload after the header stays untouched
    // Every strict prefix is "need more", the whole is complete.
    for (std::size_t n = 0; n < headerSize; ++n) {
        QCOMPARE(decodeProxyV2({encoded.data(), n}).status, DecodeStatus::NeedMore);
    }
    const auto decoded = decodeProxyV2(encoded);
    QCOMPARE(decoded.status, DecodeStatus::Complete);
    QCOMPARE(decoded.consumed, headerSize);
    QVERIFY(decoded.header == header);
}

void tst_Mesh::proxyV2Decode_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("status");
    auto header = [](int verCmd, int family, int length) {
        QByteArray h("\r\n\r\n\0\r\nQUIT\n", 12);
        h.append(char(verCmd)).append(char(family)).append(char(length >> 8)).append(char(length));
        return h;
    };
    QTest::addRow("missing-header-redis-ping")
        << QByteArray("PING\r\n") << int(DecodeStatus::Invalid);
    QTest::addRow("proxy-v1-text")
        << QByteArray("PROXY TCP4 10.8.1.12 10.59.118.59 1 2\r\n") << int(DecodeStatus::Invalid);
    QTest::addRow("version-1-binary")
        << header(0x11, 0x11, 12) + QByteArray(12, 0) << int(DecodeStatus::Invalid);
    QTest::addRow("unknown-command")
        << header(0x22, 0x11, 12) + QByteArray(12, 0) << int(DecodeStatus::Invalid);
    QTest::addRow("ipv6-family") << header(0x21, 0x21, 36) + QByteArray(36, 0)
                                 << int(DecodeStatus::Invalid);
    QTest::addRow("udp") << header(0x21, 0x12, 12) + QByteArray(12, 0)
                         << int(DecodeStatus::Invalid);
    QTest::addRow("address-block-too-short")
        << header(0x21, 0x11, 4) + QByteArray(4, 0) << int(DecodeStatus::Invalid);
    QTest::addRow("too-long") << header(0x21, 0x11, 4000) << int(DecodeStatus::Invalid);
    QTest::addRow("truncated-tlv")
        << header(0x21, 0x11, 14) + QByteArray(14, 0) << int(DecodeStatus::Invalid);
    QTest::addRow("local-with-ignored-addresses")
        << header(0x20, 0x11, 12) + QByteArray(12, 0) << int(DecodeStatus::Complete);
    QTest::addRow("first-bytes-only") << QByteArray("\r\n\r\n", 4) << int(DecodeStatus::NeedMore);
}

void tst_Mesh::proxyV2Decode()
{
    QFETCH(QByteArray, data);
    QFETCH(int, status);
    const auto result = decodeProxyV2(
        {reinterpret_cast<const std::uint8_t *>(data.constData()), std::size_t(data.size())});
    QCOMPARE(int(result.status), status);
}

void tst_Mesh::addressMapRoutes_data()
{
    QTest::addColumn<quint32>("ip");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("bypass");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("loopbackPort");
    QTest::addColumn<quint32>("destinationIp");
    const quint32 cartPod = ipv4(10, 8, 2, 5);
    const quint32 cartService = ipv4(10, 11, 240, 10);
    const quint32 gateway = ipv4(10, 8, 3, 7);
    QTest::addRow("memorystore-endpoint")
        << quint32(Memorystore.ip) << 6379 << false << int(Route::Kind::Endpoint) << 30001
        << quint32(Memorystore.ip);
    QTest::addRow("memorystore-closed-port")
        << quint32(Memorystore.ip) << 6380 << false << int(Route::Kind::Refused) << 0
        << quint32(Memorystore.ip);
    QTest::addRow("unknown-host") << ipv4(10, 99, 0, 1) << 6379 << false
                                  << int(Route::Kind::Unroutable) << 0 << ipv4(10, 99, 0, 1);
    QTest::addRow("pod-with-sidecar-inbound-capture")
        << cartPod << 6379 << false << int(Route::Kind::ProxyListener) << 30002 << cartPod;
    QTest::addRow("sidecar-to-own-app-bypasses-capture")
        << cartPod << 6379 << true << int(Route::Kind::Endpoint) << 30003 << cartPod;
    QTest::addRow("cluster-ip-dnat-to-pod")
        << cartService << 6379 << false << int(Route::Kind::ProxyListener) << 30002 << cartPod;
    QTest::addRow("gateway-port-with-listener")
        << gateway << 6379 << false << int(Route::Kind::ProxyListener) << 30004 << gateway;
    QTest::addRow("gateway-port-without-listener")
        << gateway << 443 << false << int(Route::Kind::Refused) << 0 << gateway;
}

void tst_Mesh::addressMapRoutes()
{
    QFETCH(quint32, ip);
    QFETCH(int, port);
    QFETCH(bool, bypass);
    QFETCH(int, kind);
    QFETCH(int, loopbackPort);
    QFETCH(quint32, destinationIp);
    AddressMap map;
    map.setEndpoint(Memorystore, 30001);
    map.setInboundCapture(ipv4(10, 8, 2, 5), 30002);
    map.setEndpoint({ipv4(10, 8, 2, 5), 6379}, 30003);
    map.setServiceBackend({ipv4(10, 11, 240, 10), 6379}, {ipv4(10, 8, 2, 5), 6379});
    map.setProxyListener({ipv4(10, 8, 3, 7), 6379}, 30004);
    const Route route = map.resolve({ip, static_cast<std::uint16_t>(port)}, bypass);
    QCOMPARE(int(route.kind), kind);
    QCOMPARE(int(route.loopbackPort), loopbackPort);
    QCOMPARE(quint32(route.destination.ip), destinationIp);
}

void tst_Mesh::addressMapConcurrentReaders()
{
    AddressMap map;
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::thread reader([&] {
        while (!stop) {
            const auto route = map.resolve(Memorystore);
            if (route.kind == Route::Kind::Endpoint && route.loopbackPort == 0) {
                ++bad;
            }
        }
    });
    for (std::uint16_t i = 1; i < 2000; ++i) {
        map.setEndpoint(Memorystore, i);
        map.remove(Memorystore);
    }
    stop = true;
    reader.join();
    QCOMPARE(bad.load(), 0);
    QCOMPARE(map.resolve(Memorystore).kind, Route::Kind::Refused);
}

void tst_Mesh::captureWithoutSidecar()
{
    EchoUpstream echo;
    auto map = std::make_shared<AddressMap>();
    map->setEndpoint(Memorystore, echo.port());
    Capture capture(map);
    auto connected = capture.connect(Pod.ip, Memorystore, std::chrono::milliseconds(1000));
    QVERIFY2(connected, connected ? "" : connected.error().message.c_str());
    QVERIFY(!connected->viaSidecar);
    QVERIFY(meshcraft::tests::sendAll(connected->fd, "hello"));
    QCOMPARE(meshcraft::tests::readAtLeast(connected->fd, 5), std::string("hello"));
    ::close(connected->fd);
}

void tst_Mesh::captureWithSidecarWritesHeader()
{
    // A stand-in sidecar listener: read what the capture sends.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    ::listen(listener, 4);
    socklen_t length = sizeof addr;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &length);
    auto map = std::make_shared<AddressMap>();
    map->setOutboundCapture(Pod.ip, ntohs(addr.sin_port));
    Capture capture(map);
    // The destination does not exist anywhere: with a sidecar, connect() still succeeds.
    const Address nowhere{ipv4(10, 99, 0, 1), 6379};
    auto connected = capture.connect(Pod.ip, nowhere, std::chrono::milliseconds(1000));
    QVERIFY(connected);
    QVERIFY(connected->viaSidecar);
    const int accepted = ::accept(listener, nullptr, nullptr);
    const std::string got = meshcraft::tests::readAtLeast(accepted, 28);
    const auto decoded =
        decodeProxyV2({reinterpret_cast<const std::uint8_t *>(got.data()), got.size()});
    QCOMPARE(decoded.status, DecodeStatus::Complete);
    QCOMPARE(decoded.header.source, connected->source);
    QCOMPARE(decoded.header.source.ip, Pod.ip);
    QCOMPARE(decoded.header.destination, nowhere);
    ::close(accepted);
    ::close(connected->fd);
    ::close(listener);
}

void tst_Mesh::captureRefusedAndUnroutable()
{
    auto map = std::make_shared<AddressMap>();
    map->addHost(Memorystore.ip);
    Capture capture(map);
    auto refused = capture.connect(Pod.ip, Memorystore, std::chrono::milliseconds(1000));
    QVERIFY(!refused);
    QCOMPARE(QString::fromStdString(refused.error().code), QString("net.refused"));
    QCOMPARE(QString::fromStdString(refused.error().message), QString("Connection refused"));
    const auto start = std::chrono::steady_clock::now();
    auto lost = capture.connect(Pod.ip, {ipv4(10, 99, 0, 1), 6379}, std::chrono::milliseconds(50));
    QVERIFY(!lost);
    QCOMPARE(QString::fromStdString(lost.error().code), QString("net.timed-out"));
    QVERIFY(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
}

QTEST_APPLESS_MAIN(tst_Mesh)
#include "tst_mesh.moc"
