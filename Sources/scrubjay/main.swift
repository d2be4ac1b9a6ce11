import ScrubjayCLI

ScrubjayCommand.runAndExit()
