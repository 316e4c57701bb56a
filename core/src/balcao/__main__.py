from balcao.cli import main

main()
