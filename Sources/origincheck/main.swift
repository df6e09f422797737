import OriginCheckCLI
OriginCheckCommand.main()
