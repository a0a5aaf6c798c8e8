"""The cluster as every flow uses it: objects, writes, inventory, health."""
