// Snippets print with Console as users would; each test's console output goes to that test's output (and is read back
// through TestContext.Current.TestOutputHelper where a test checks what a snippet printed).
[assembly: CaptureConsole]
