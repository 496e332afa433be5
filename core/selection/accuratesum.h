#pragma once

namespace pcs::detail {

// A running sum that keeps the rounding error of every addition (Knuth's TwoSum), so the
// total is accurate to about eps·|sum| + eps²·Σ|terms| however many terms there are.
class AccurateSum {
public:
    void add(double x)
    {
        const double sum = m_sum + x;
        const double xPart = sum - m_sum;
        m_error += (m_sum - (sum - xPart)) + (x - xPart);
        m_sum = sum;
    }
    double value() const { return m_sum + m_error; }

private:
    double m_sum = 0;
    double m_error = 0;
};

}  // namespace pcs::detail
