"""The use cases shared by the REST facade and the CLI, and the engines that carry out writes and follow the chain."""
