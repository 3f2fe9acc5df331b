// SPDX-License-Identifier: GPL-3.0-or-later
// Replays every file of the fuzz corpus through the same entry as the fuzzer, as a plain test:
// a crash, hang or sanitizer report on any corpus input fails the suite.
#include "tests/fuzz/fuzz_config_input.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QtTest>

class tst_FuzzReplay : public QObject
{
    Q_OBJECT

private slots:
    void replayCorpus_data();
    void replayCorpus();
};

void tst_FuzzReplay::replayCorpus_data()
{
    QTest::addColumn<QString>("path");
    QDirIterator it(QStringLiteral(MESHCRAFT_SOURCE_DIR "/tests/fuzz/corpus/config"), QDir::Files,
                    QDirIterator::Subdirectories);
    int count = 0;
    while (it.hasNext()) {
        const QString path = it.next();
        QTest::addRow("%s", qPrintable(QFileInfo(path).fileName())) << path;
        ++count;
    }
    QVERIFY2(count >= 10, "the fuzz corpus should hold at least the seeds");
}

void tst_FuzzReplay::replayCorpus()
{
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    meshcraft::tests::fuzz::runConfigInput(reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                                           static_cast<std::size_t>(bytes.size()));
}

QTEST_APPLESS_MAIN(tst_FuzzReplay)
#include "replay_corpus.moc"
