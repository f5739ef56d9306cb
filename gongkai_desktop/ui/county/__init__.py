"""County mode pages (县级汇总): receiving 报送包, conflicts, townships, the grid."""
