"""County mode pages (县级汇总): 报送情况 and the pages of receiving packages."""
