import ScrubjayCLI

ScrubjayCommand.main()
