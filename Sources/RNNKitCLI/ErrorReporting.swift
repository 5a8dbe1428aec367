import ArgumentParser
import Foundation

/// Prints what `body` returns. A command-line mistake (`ValidationError`) goes back to
/// ArgumentParser, which prints the usage; any other error — a file that cannot be read, a
/// model that does not fit — is printed to standard error as `Error: …` and the program
/// exits with status 1. Every subcommand that reads files runs its work through this.
func printReportingErrors(_ body: () throws -> String) throws {
  do {
    let text = try body()
    if !text.isEmpty { print(text) }
  } catch let error as ValidationError {
    throw error
  } catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    throw ExitCode.failure
  }
}
