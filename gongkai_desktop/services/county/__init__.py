"""County mode (县级汇总): townships, receiving 报送包, conflicts, the completeness grid."""
