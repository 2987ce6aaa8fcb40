from cybench.cli.app import main

main()
