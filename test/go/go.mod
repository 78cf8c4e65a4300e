module klinkvectors

go 1.19
