"""Submission upward (township side): the 报送密钥, the 报送包, 月末报送 and the 回执."""
