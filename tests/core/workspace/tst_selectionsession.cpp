#include "core/demo/demodata.h"
#include "core/workspace/selectionsession.h"
#include "tests/common/testdata.h"

#include <QSignalSpy>
#include <QTest>

using namespace pcs;

class TestSelectionSession : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    DemoFiles m_small;
    DemoFiles m_large;

    static SelectionInputPaths paths(const DemoFiles &files, bool withTokens = true)
    {
        SelectionInputPaths p;
        p.bpb = files.bpb;
        p.errors = files.errors;
        if (withTokens)
            p.tokenCounts = files.tokenCounts;
        return p;
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto small = writeDemoDataset(generateDemoDataset({ 60, 300, 7 }), m_dir.filePath("small"));
        QVERIFY(small.ok());
        m_small = *small;
        // Large enough that a sign_sign run takes a while, so there is time to cancel it.
        auto large
            = writeDemoDataset(generateDemoDataset({ 200, 60000, 8 }), m_dir.filePath("large"));
        QVERIFY(large.ok());
        m_large = *large;
    }

    void loadThenRunMatchesTheCore()
    {
        SelectionSession session;
        QSignalSpy outcomes(&session, &SelectionSession::outcomeChanged);
        SelectionParameters p;
        p.keepRatio = 0.25;
        session.setParameters(p);
        session.load(paths(m_small));
        QVERIFY(outcomes.wait(20000));
        QVERIFY(!session.isBusy());
        const auto outcome = session.outcome();
        QVERIFY(outcome);
        QCOMPARE(outcome->table.texts.size(), 300);

        // The same through the plain core functions.
        const auto inputs = loadSelectionInputs(m_small.bpb, {}, m_small.errors, {});
        QVERIFY(inputs.ok());
        const auto estimate = estimateSelection(*inputs, {});
        QVERIFY(estimate.ok());
        QCOMPARE(outcome->table.estimate, *estimate);
        const auto tau = resolveTau(inputs->bpb->texts,
                                    { TauSpec::Source::TokenCounts, m_small.tokenCounts, 0.25 });
        QVERIFY(tau.ok());
        QVERIFY((outcome->table.tau - *tau).cwiseAbs().maxCoeff() < 1e-15);
        QVERIFY(std::abs(outcome->table.weight.sum() - 1.0) < 1e-12);
    }

    void changingParametersRerunsAndReusesTheEstimate()
    {
        SelectionSession session;
        QSignalSpy outcomes(&session, &SelectionSession::outcomeChanged);
        session.load(paths(m_small, false));
        QVERIFY(outcomes.wait(20000));
        const Eigen::VectorXd first = session.outcome()->table.estimate;
        SelectionParameters p = session.parameters();
        p.keepRatio = 0.5;
        p.projection = Projection::L2;
        session.setParameters(p);
        QVERIFY(outcomes.wait(20000));
        QCOMPARE(session.outcome()->parameters.projection, Projection::L2);
        QCOMPARE(session.outcome()->table.estimate, first);
        QCOMPARE(session.outcome()->table.tau[0], 1.0 / (300 * 0.5));
        p.estimator = Estimator::SignSign;
        session.setParameters(p);
        QVERIFY(outcomes.wait(20000));
        QVERIFY(session.outcome()->table.estimate != first);
    }

    void latestRequestWins()
    {
        SelectionSession session;
        QSignalSpy outcomes(&session, &SelectionSession::outcomeChanged);
        session.load(paths(m_small));
        QVERIFY(outcomes.wait(20000));
        SelectionParameters p = session.parameters();
        for (const Estimator e :
             { Estimator::Sign, Estimator::SignCdf, Estimator::Product, Estimator::SignSign }) {
            p.estimator = e;
            session.setParameters(p);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!session.isBusy(), 20000);
        QCOMPARE(session.outcome()->parameters.estimator, Estimator::SignSign);
    }

    void cancelKeepsThePreviousOutcome()
    {
        SelectionSession session;
        QSignalSpy outcomes(&session, &SelectionSession::outcomeChanged);
        QSignalSpy canceled(&session, &SelectionSession::runCanceled);
        session.load(paths(m_large));
        QVERIFY(outcomes.wait(60000));
        const auto before = session.outcome();
        SelectionParameters p = session.parameters();
        p.estimator = Estimator::SignSign;
        p.threads = 1;
        session.setParameters(p);
        QVERIFY(session.isBusy());
        session.cancel();
        QVERIFY(canceled.wait(20000));
        QVERIFY(!session.isBusy());
        QCOMPARE(session.outcome(), before);  // the very same result object
        QCOMPARE(outcomes.size(), 1);
        // And the session still works afterwards.
        p.estimator = Estimator::Sign;
        session.setParameters(p);
        QVERIFY(outcomes.wait(60000));
        QCOMPARE(session.outcome()->parameters.estimator, Estimator::Sign);
    }

    void loadErrorsAreReported()
    {
        SelectionSession session;
        QSignalSpy failed(&session, &SelectionSession::loadFailed);
        SelectionInputPaths p = paths(m_small);
        p.errors = m_dir.filePath("missing.csv");
        session.load(p);
        QVERIFY(failed.wait(20000));
        const auto error = failed.first().first().value<Error>();
        QCOMPARE(error.file, p.errors);
        QVERIFY(!session.data());
    }

    void comparison()
    {
        SelectionSession session;
        QSignalSpy outcomes(&session, &SelectionSession::outcomeChanged);
        QSignalSpy compared(&session, &SelectionSession::comparisonChanged);
        session.load(paths(m_small));
        QVERIFY(outcomes.wait(20000));
        session.requestComparison(Estimator::SignCdf);
        QVERIFY(compared.wait(20000));
        const auto inputs = loadSelectionInputs(m_small.bpb, {}, m_small.errors, {});
        const auto expected = estimateSelection(*inputs, { Estimator::SignCdf });
        QCOMPARE(session.comparisonEstimate(), *expected);
    }
};

QTEST_GUILESS_MAIN(TestSelectionSession)
#include "tst_selectionsession.moc"
