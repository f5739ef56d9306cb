"""月末报送 and the township's view of its submissions."""
