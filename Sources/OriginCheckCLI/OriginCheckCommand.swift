import ArgumentParser

public struct OriginCheckCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "origincheck",
    abstract: "Where did this traffic come from, and does the claim about it hold?",
    subcommands: [])
  public init() {}
}
