import OriginCheckCLI

OriginCheckCommand.runMain()
