from fastapi import FastAPI
from flask import Flask
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("travel")
api = FastAPI()
web = Flask(__name__)
